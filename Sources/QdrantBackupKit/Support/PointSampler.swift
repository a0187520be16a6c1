/// A uniform random sample of at most `capacity` items from a stream of unknown length
/// (reservoir sampling), reproducible from its seed: every item seen has the same chance,
/// whether it came first or last, and memory stays at `capacity` items.
struct PointSampler<Item> {
    let capacity: Int
    private(set) var items: [Item] = []
    private(set) var seen: UInt64 = 0
    private var state: UInt64

    init(capacity: Int, seed: UInt64) {
        self.capacity = max(0, capacity)
        state = seed
        items.reserveCapacity(min(self.capacity, 1 << 16))
    }

    mutating func offer(_ item: Item) {
        seen += 1
        if items.count < capacity {
            items.append(item)
            return
        }
        let slot = next() % seen
        if slot < UInt64(capacity) { items[Int(slot)] = item }
    }

    /// SplitMix64.
    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
