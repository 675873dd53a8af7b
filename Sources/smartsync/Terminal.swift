import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small process helpers: standard error, terminal detection, memory use.
enum Terminal {
    static func error(_ text: String) {
        write(text.hasSuffix("\n") ? text : text + "\n")
    }

    private static func write(_ text: String, fd: Int32 = 2) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { systemWrite(fd, $0.baseAddress, $0.count) }
    }

    /// A line on standard output, unbuffered (a server's start-up lines must show at once, even in a pipe).
    static func line(_ text: String) { write(text + "\n", fd: 1) }

    /// True when standard error is a terminal (progress lines go there only then).
    static var stderrIsTerminal: Bool { isatty(2) != 0 }

    /// Writes a progress line that overwrites itself.
    static func progress(_ text: String) { write("\r\u{1B}[K" + text) }

    static func endProgress() { write("\r\u{1B}[K") }

    /// A field of /proc/self/status in bytes (VmRSS, VmHWM), Linux only.
    static func procStatus(_ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let kb = line.split(separator: " ").compactMap { Int($0) }.first
            return kb.map { $0 * 1024 }
        }
        return nil
    }

    /// Current resident memory in bytes.
    static func residentBytes() -> Int { procStatus("VmRSS") ?? 0 }

    /// The anonymous part of it (heap, stacks): resident memory without the program's and libraries' code and data
    /// mapped from their files, which the kernel can drop and share between processes.
    static func anonymousResidentBytes() -> Int { procStatus("RssAnon") ?? 0 }

    /// Keeps large freed blocks in the heap instead of returning them to the kernel, so that the fan-out's
    /// per-fill working arrays reuse warm pages instead of faulting in fresh zeroed ones every time.
    static func tuneAllocator() {
        #if canImport(Glibc)
            _ = glibcMallopt(-3, 1 << 30)  // M_MMAP_THRESHOLD
            _ = glibcMallopt(-1, 1 << 30)  // M_TRIM_THRESHOLD
            // One arena: commands run on Swift concurrency's threads, whose per-thread arenas are capped (64 MiB heaps)
            // and would serve a fan-out's large arrays from fresh mmaps again. On 2 cores contention is not a concern.
            _ = glibcMallopt(-8, 1)  // M_ARENA_MAX
        #endif
    }

    /// Serves every block of 128 KiB or more from its own mapping, returned to the kernel when freed. glibc's default
    /// raises that threshold to the largest block freed so far (up to 32 MiB), after which a server's large columns
    /// and their copy-on-write copies come from the heap, whose freed space it keeps: 272 → 176 MB resident at 100k
    /// copies (`bench soak`, BENCHMARKS.md). A fixed threshold also fixes the trim threshold at its default.
    static func returnLargeBlocks() {
        #if canImport(Glibc)
            _ = glibcMallopt(-3, 128 << 10)  // M_MMAP_THRESHOLD
        #endif
    }

    /// Allocates, touches and frees `bytes` of heap so later allocations reuse resident pages (with
    /// `tuneAllocator`, glibc keeps them). Models a server that has been running, not a fresh process.
    static func warmHeap(bytes: Int) {
        let block = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
        block.initializeMemory(as: UInt8.self, repeating: 1, count: bytes)
        block.deallocate()
    }
}

#if canImport(Glibc)
    private let systemWrite = Glibc.write
#else
    private let systemWrite = Darwin.write
#endif

#if canImport(Glibc)
    /// glibc's `mallopt` (malloc.h is not part of the Glibc module); two int arguments, int result.
    @_silgen_name("mallopt")
    private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
