/// An append-only list stored in fixed-size chunks, for the engine's long histories (the journal, the command
/// moments). A server's reads hold the last committed engine while the writer appends: with one array, the first
/// append after each commit would copy everything kept so far (heaptrack found 8.7 MB of command times copied so
/// in `bench soak`). With chunks it copies the list of chunks (8 B a chunk) and the last chunk only, and appending
/// never moves what is already there.
public struct ChunkedArray<Element>: Sequence {
    /// Elements a chunk holds.
    public let chunkSize: Int
    private var chunks: [[Element]] = []
    public private(set) var count = 0

    public init(chunkSize: Int) {
        precondition(chunkSize > 0)
        self.chunkSize = chunkSize
    }

    public var isEmpty: Bool { count == 0 }
    public var last: Element? { chunks.last?.last }

    mutating func append(_ element: Element) {
        if count % chunkSize == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }

    /// Room in the list of chunks for `n` elements in all (the chunks themselves are allocated whole when started).
    mutating func reserveCapacity(_ n: Int) {
        chunks.reserveCapacity((n + chunkSize - 1) / chunkSize)
    }

    public internal(set) subscript(index: Int) -> Element {
        get { chunks[index / chunkSize][index % chunkSize] }
        set { chunks[index / chunkSize][index % chunkSize] = newValue }
    }

    public func makeIterator() -> FlattenSequence<[[Element]]>.Iterator { flattened.makeIterator() }

    /// Frees chunk `i` (whole, and not the last): its elements can no longer be read, and iterating skips them. The
    /// caller keeps what it still needs from it and never reads the chunk again.
    mutating func releaseChunk(_ i: Int) {
        precondition(i < chunks.count - 1 || count == chunks.count * chunkSize, "only a full chunk can be released")
        chunks[i] = []
    }

    /// Starts an empty list as if `n` full chunks had been appended and released (a snapshot read back).
    mutating func startReleased(chunks n: Int) {
        precondition(count == 0 && n >= 0)
        chunks = [[Element]](repeating: [], count: n)
        count = n * chunkSize
    }

    /// The elements in order, without copying them.
    public var flattened: FlattenSequence<[[Element]]> { chunks.joined() }

    /// Bytes held by the chunks and their list, at `stride` bytes an element.
    func byteCount(stride: Int) -> Int { chunks.reduce(8 * chunks.capacity) { $0 + stride * $1.capacity } }
}

extension ChunkedArray: Sendable where Element: Sendable {}
