import SmartSyncBench
import SmartSyncCore
import Testing

@Suite("Exact decimals (DESIGN §5)")
struct DecimalTests {
    // MARK: Parsing and formatting

    @Test(
        "Canonical text round-trips through Fixed",
        arguments: [
            ("1000.5", Int64(100_050_000_000)),
            ("0", 0),
            ("-0.114", -11_400_000),
            ("0.00000001", 1),
            ("92233720368.54775807", Int64.max),
            ("123456.78901234", 12_345_678_901_234),
        ])
    func roundTrip(text: String, units: Int64) throws {
        let value = try Fixed(text)
        #expect(value.units == units)
        #expect(value.description == text)
        #expect(try Fixed(value.description) == value)
        #expect(try DecimalNumber(parsing: text).description == text)
    }

    @Test(
        "Non-canonical input is accepted and printed canonically",
        arguments: [
            ("1000.50", "1000.5"), ("+7", "7"), ("-0", "0"), ("0.000", "0"), ("007.10", "7.1"),
            // Trailing zeros beyond the 8th decimal are not significant.
            ("0.100000000", "0.1"),
        ])
    func canonicalForm(text: String, canonical: String) throws {
        #expect(try Fixed(text).description == canonical)
    }

    @Test(
        "Malformed text is refused with .malformed naming the text",
        arguments: ["", "1e5", "1.2.3", " 1", "1 ", "abc", "-", ".", "--1", "+-1", "1-", "1,5", "0x10", "١"])
    func malformed(text: String) {
        #expect(throws: DecimalError.malformed(text)) { try Fixed(text) }
        #expect(throws: DecimalError.malformed(text)) { try DecimalNumber(parsing: text) }
    }

    @Test("More than 8 significant decimals are refused by Fixed, but not by DecimalNumber")
    func tooManyDecimals() throws {
        #expect(throws: DecimalError.tooManyDecimals("0.000000001", allowed: 8)) { try Fixed("0.000000001") }
        #expect(throws: DecimalError.tooManyDecimals("1.123456789", allowed: 8)) { try Fixed("1.123456789") }
        let n = try DecimalNumber(parsing: "0.000000001")
        #expect(n.mantissa == 1 && n.scale == 9)
        // DecimalNumber's own limit is 30 digits after the point.
        let thirtyOne = "0." + String(repeating: "0", count: 30) + "1"
        #expect(throws: DecimalError.tooManyDecimals(thirtyOne, allowed: 30)) { try DecimalNumber(parsing: thirtyOne) }
    }

    @Test("Out-of-range values are refused, never wrapped")
    func overflow() throws {
        #expect(throws: DecimalError.overflow("92233720368.54775808")) { try Fixed("92233720368.54775808") }
        #expect(throws: DecimalError.overflow("100000000000")) { try Fixed("100000000000") }
        // Beyond 128 bits while parsing.
        let huge = String(repeating: "9", count: 40)
        #expect(throws: DecimalError.overflow(huge)) { try DecimalNumber(parsing: huge) }
        #expect(try Fixed("92233720368.54775807") == Fixed.max)
    }

    /// The overflow message promises that the largest allowed magnitude is `Fixed.max`; `Int64.min` units has a
    /// larger magnitude, and negating it traps (`-value` is a crash, not an error).
    @Test(
        "The negative bound is symmetric: -92233720368.54775808 is out of range")
    func negativeBoundSymmetric() {
        #expect(throws: DecimalError.overflow("-92233720368.54775808")) { try Fixed("-92233720368.54775808") }
    }

    @Test("Integer initialiser and constants")
    func constants() throws {
        #expect(Fixed(100) == fx("100"))
        #expect(Fixed(-3).units == -300_000_000)
        #expect(Fixed.one.description == "1")
        #expect(Fixed.ulp.description == "0.00000001")
        #expect(Fixed.zero.isZero && !Fixed.zero.isPositive && !Fixed.zero.isNegative)
        #expect(fx("-0.5").isNegative && fx("0.5").isPositive)
        #expect(fx("0.1") < fx("0.11") && fx("-1") < fx("0"))
    }

    // MARK: Rounding to a step

    /// (value, step, mode, expected): every mode on positive and negative values, off and on the tie, and exact multiples.
    static let stepCases: [(String, String, RoundingMode, String)] = [
        ("1.24", "0.1", .down, "1.2"), ("1.24", "0.1", .up, "1.3"), ("1.24", "0.1", .towardZero, "1.2"),
        ("1.24", "0.1", .halfEven, "1.2"),
        ("1.26", "0.1", .halfEven, "1.3"),
        ("1.25", "0.1", .halfEven, "1.2"), ("1.35", "0.1", .halfEven, "1.4"),
        ("-1.24", "0.1", .down, "-1.3"), ("-1.24", "0.1", .up, "-1.2"), ("-1.24", "0.1", .towardZero, "-1.2"),
        ("-1.24", "0.1", .halfEven, "-1.2"),
        ("-1.25", "0.1", .halfEven, "-1.2"), ("-1.35", "0.1", .halfEven, "-1.4"), ("-1.26", "0.1", .halfEven, "-1.3"),
        ("1.2", "0.1", .down, "1.2"), ("1.2", "0.1", .up, "1.2"), ("1.2", "0.1", .towardZero, "1.2"),
        ("1.2", "0.1", .halfEven, "1.2"),
        ("0.00000001", "0.00001", .up, "0.00001"), ("0.00000001", "0.00001", .down, "0"),
        ("0.00000001", "0.00001", .halfEven, "0"), ("-0.00000001", "0.00001", .down, "-0.00001"),
        ("7", "2.5", .down, "5"), ("7", "2.5", .up, "7.5"), ("7", "2.5", .halfEven, "7.5"),
        ("6.25", "2.5", .halfEven, "5"), ("8.75", "2.5", .halfEven, "10"),
    ]

    @Test("Fixed.rounded(toStep:) in every mode", arguments: stepCases)
    func fixedStep(value: String, step: String, mode: RoundingMode, expected: String) throws {
        let r = fx(value).rounded(toStep: fx(step), mode)
        #expect(r == fx(expected), "\(value) to step \(step) \(mode) gave \(r)")
        #expect(r.isMultiple(of: fx(step)))
        // The same through the arbitrary-scale type.
        let d = try DecimalNumber(parsing: value).rounded(toStep: DecimalNumber(parsing: step), mode)
        #expect(d.description == expected)
    }

    @Test("Rounding never moves by a whole step or more, and the direction matches the mode")
    func stepBounds() {
        var rng = SplitMix(seed: 42)
        for _ in 0..<2_000 {
            let v = Fixed(units: rng.int64(-10_000_000_000...10_000_000_000))
            let step = Fixed(units: rng.int64(1...100_000_000))
            for mode in RoundingMode.allCases {
                let r = v.rounded(toStep: step, mode)
                #expect(r.isMultiple(of: step))
                #expect(abs(r.units - v.units) < step.units)
                switch mode {
                case .down: #expect(r <= v)
                case .up: #expect(r >= v)
                case .towardZero: #expect(abs(r.units) <= abs(v.units))
                case .halfEven: #expect(2 * abs(r.units - v.units) <= step.units)
                }
            }
        }
    }

    // MARK: ccxt decimal-to-precision vectors

    /// Tick-size vectors from ccxt's decimal-to-precision tests (ccxt/ccxt, ts/src/test/base/test.decimalToPrecision.ts,
    /// `decimalToPrecision(value, ROUND | TRUNCATE, tick, TICK_SIZE)`). ccxt's TRUNCATE is `.towardZero` (the same as
    /// `.down` for non-negative values); its ROUND goes half away from zero, so only vectors whose tie (if any)
    /// also lands on the even multiple are used with `.halfEven` (165 / 110 = 1.5 → 2 steps = 220).
    static let ccxtVectors: [(String, String, RoundingMode, String)] = [
        ("0.000123456789", "0.00000012", .halfEven, "0.00012348"),
        ("0.000123456789", "0.00000012", .down, "0.00012336"),
        ("0.000123456789", "0.00000012", .towardZero, "0.00012336"),
        ("165", "110", .halfEven, "220"),
        ("165", "110", .down, "110"),
        ("3210", "1110", .down, "2220"),
        ("-0.000123456789", "0.00000012", .halfEven, "-0.00012348"),
        ("-0.000123456789", "0.00000012", .towardZero, "-0.00012336"),
        ("-165", "110", .towardZero, "-110"),
        ("-165", "110", .halfEven, "-220"),
        ("-1650", "1100", .towardZero, "-1100"),
        ("-1650", "1100", .halfEven, "-2200"),
        ("0.000273398", "0.0000001", .halfEven, "0.0002734"),
        ("0.00005714", "0.00000001", .down, "0.00005714"),
        ("0.0000571495257361", "0.00000001", .down, "0.00005714"),
        ("44.00000001", "4.4", .halfEven, "44"),
        ("-44.00000001", "4.4", .halfEven, "-44"),
        ("1.2", "0.4", .halfEven, "1.2"),
        ("0.6", "0.2", .towardZero, "0.6"),
        ("20", "0.00000001", .down, "20"),
        ("0.000123456789", "0.00000001", .down, "0.00012345"),
        ("123456.12345678912", "0.00000001", .down, "123456.12345678"),
        ("123456.12345674999", "0.00000005", .down, "123456.1234567"),
        ("123456.12345675001", "0.00000005", .down, "123456.12345675"),
        ("123456.49999999999", "0.5", .down, "123456"),
        ("1.23456", "0.0001", .halfEven, "1.2346"),
        ("0.049999", "0.1", .halfEven, "0"),
    ]

    @Test("ccxt decimal-to-precision tick-size vectors", arguments: ccxtVectors)
    func ccxt(value: String, step: String, mode: RoundingMode, expected: String) throws {
        let v = try DecimalNumber(parsing: value)
        let s = try DecimalNumber(parsing: step)
        #expect(v.rounded(toStep: s, mode).description == expected)
    }

    @Test("DecimalNumber.exactly(atScale:) refuses to drop digits")
    func exactlyAtScale() throws {
        let n = try DecimalNumber(parsing: "1.2300")
        #expect(n.exactly(atScale: 2) == 123)
        #expect(n.exactly(atScale: 8) == 123_000_000)
        #expect(n.exactly(atScale: 1) == nil)
        #expect(n.normalized().scale == 2)
        // A value with more significant decimals than 8 cannot become a Fixed.
        #expect(throws: DecimalError.tooManyDecimals("0.123456789", allowed: 8)) {
            try Fixed(try DecimalNumber(parsing: "0.123456789"))
        }
    }

    // MARK: mulDiv

    /// (a, b, c, mode, expected a × b ÷ c).
    static let mulDivCases: [(String, String, String, RoundingMode, String)] = [
        ("1", "1", "3", .down, "0.33333333"), ("1", "1", "3", .up, "0.33333334"),
        ("1", "1", "3", .towardZero, "0.33333333"), ("1", "1", "3", .halfEven, "0.33333333"),
        ("2", "1", "3", .down, "0.66666666"), ("2", "1", "3", .up, "0.66666667"),
        ("2", "1", "3", .towardZero, "0.66666666"), ("2", "1", "3", .halfEven, "0.66666667"),
        ("-1", "1", "3", .down, "-0.33333334"), ("-1", "1", "3", .up, "-0.33333333"),
        ("-1", "1", "3", .towardZero, "-0.33333333"), ("-1", "1", "3", .halfEven, "-0.33333333"),
        ("-2", "1", "3", .halfEven, "-0.66666667"), ("1", "-2", "3", .down, "-0.66666667"),
        ("1", "1", "-3", .up, "-0.33333333"),
        // Exact halves: 0.5e-8, 1.5e-8, 2.5e-8 go to the even neighbour.
        ("0.00000001", "0.5", "1", .halfEven, "0"), ("0.00000003", "0.5", "1", .halfEven, "0.00000002"),
        ("0.00000005", "0.5", "1", .halfEven, "0.00000002"), ("-0.00000003", "0.5", "1", .halfEven, "-0.00000002"),
        ("0.00000001", "0.5", "1", .up, "0.00000001"), ("0.00000001", "0.5", "1", .down, "0"),
        ("-0.00000001", "0.5", "1", .down, "-0.00000001"), ("-0.00000001", "0.5", "1", .towardZero, "0"),
        // The fee of DESIGN's example: 1000 × 0.001.
        ("1000", "0.001", "1", .up, "1"),
        // An exact product needs no rounding in any mode.
        ("50000", "0.002", "1", .halfEven, "100"),
    ]

    @Test("Fixed.mulDiv rounds once, by the mode", arguments: mulDivCases)
    func mulDiv(a: String, b: String, c: String, mode: RoundingMode, expected: String) throws {
        #expect(try Fixed.mulDiv(fx(a), fx(b), fx(c), mode) == fx(expected))
    }

    @Test("mulDiv keeps a 128-bit intermediate and reports overflow")
    func mulDivRange() throws {
        // max × max ÷ max needs 126 bits in the middle.
        #expect(try Fixed.mulDiv(.max, .max, .max, .down) == .max)
        #expect(try Fixed.mulDiv(fx("90000000000"), fx("90000000000"), fx("90000000000"), .up) == fx("90000000000"))
        #expect(throws: DecimalError.self) { try Fixed.mulDiv(.max, fx("2"), .one, .down) }
        #expect(throws: DecimalError.self) { try Fixed.max.multiplied(by: fx("1.00000001"), .down) }
        #expect(try fx("10").divided(by: fx("4"), .down) == fx("2.5"))
        #expect(try fx("1").divided(by: fx("3"), .up) == fx("0.33333334"))
        #expect(try fx("1.5").multiplied(by: fx("0.00000001"), .halfEven) == fx("0.00000002"))
    }

    @Test("Division by zero is an error in every mode", arguments: RoundingMode.allCases)
    func divisionByZero(mode: RoundingMode) {
        #expect(throws: DecimalError.divisionByZero) { try Fixed.mulDiv(.one, .one, .zero, mode) }
        #expect(throws: DecimalError.divisionByZero) { try fx("5").divided(by: .zero, mode) }
    }

    @Test("Checked addition and subtraction report overflow")
    func checkedSums() throws {
        #expect(throws: DecimalError.self) { try Fixed.max.adding(.ulp) }
        #expect(throws: DecimalError.self) { try (-Fixed.max).subtracting(fx("2")) }
        #expect(try fx("0.1").adding(fx("0.2")) == fx("0.3"))
        #expect(try fx("0.1").subtracting(fx("0.3")) == fx("-0.2"))
    }

    @Test("Integer helpers: floor and ceiling of a × b ÷ c, nil when the result does not fit")
    func integerHelpers() {
        #expect(mulDivFloor(7, 3, 2) == 10)
        #expect(mulDivCeil(7, 3, 2) == 11)
        #expect(mulDivCeil(6, 3, 2) == 9)
        #expect(mulDivFloor(.max, .max, .max) == .max)
        #expect(mulDivFloor(.max, 2, 1) == nil)
        #expect(mulDivCeil(.max, 2, 2) == .max)
        #expect(mulDivCeil(.max, 3, 2) == nil)
        // The taker fee of 0.1% on a quote of 0.00000001 still costs one unit: never undercharged.
        #expect(mulDivCeil(1, 100_000, 100_000_000) == 1)
    }
}
