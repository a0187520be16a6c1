import Crypto
import Foundation
import Synchronization

/// A download sink that hashes and counts what it receives.
public final class HashingSink: Sendable {
    public init() {}

    private let state = Mutex((hasher: SHA256(), count: 0, largestChunk: 0))

    public var count: Int { state.withLock { $0.count } }
    public var largestChunk: Int { state.withLock { $0.largestChunk } }
    public var digest: String { state.withLock { $0.hasher.finalize().hex } }

    public func consume(_ chunk: UnsafeRawBufferPointer) {
        state.withLock { state in
            state.hasher.update(bufferPointer: chunk)
            state.count += chunk.count
            state.largestChunk = max(state.largestChunk, chunk.count)
        }
    }
}

extension Digest {
    /// Lower-case hex, as `sha256sum` and Qdrant print it.
    public var hex: String { map { String(format: "%02x", $0) }.joined() }
}
