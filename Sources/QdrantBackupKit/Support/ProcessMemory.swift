#if canImport(Glibc)
import Glibc
#endif

/// Process-wide memory settings for a process that streams gigabytes through large buffers.
public enum ProcessMemory {
    /// Makes glibc serve every allocation of 1 MiB or more with its own mapping, returned to the
    /// system when freed.
    ///
    /// By default glibc raises its mmap threshold to the size of each large block freed (up to
    /// 32 MiB), after which member-sized buffers come from per-thread heaps that keep freed memory:
    /// the benchmark measured peak RSS of 159 MiB for a snapshot import and 172 MiB for a points
    /// export that way, against 108 and 105 MiB with a fixed 1 MiB threshold (for a few percent
    /// more system time in page faults). Call once, at start-up.
    public static func returnLargeBuffersToTheSystem() {
        #if canImport(Glibc)
        // <malloc.h> is not part of the Glibc module: look mallopt up. M_MMAP_THRESHOLD is -3 there.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(-3, 1 << 20)
        #endif
    }
}
