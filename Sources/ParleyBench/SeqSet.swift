/// The room sequence numbers one member has received, as a growable bitset: duplicates and gaps are
/// exact, at one bit per message.
struct SeqSet {
    private var words: [UInt64] = []
    /// Distinct numbers inserted.
    private(set) var count = 0
    /// The highest number inserted (0 when none).
    private(set) var highest: Int64 = 0

    /// Inserts `seq` (≥ 1); false when it was already present.
    @discardableResult
    mutating func insert(_ seq: Int64) -> Bool {
        guard seq >= 0 else { return true }
        let word = Int(seq >> 6)
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: max(word + 1 - words.count, words.count))) }
        let bit = UInt64(1) << UInt64(seq & 63)
        if words[word] & bit != 0 { return false }
        words[word] |= bit
        count += 1
        if seq > highest { highest = seq }
        return true
    }

    func contains(_ seq: Int64) -> Bool {
        let word = Int(seq >> 6)
        guard seq >= 0, word < words.count else { return false }
        return words[word] & (UInt64(1) << UInt64(seq & 63)) != 0
    }

    /// How many numbers of `range` are absent.
    func missing(in range: ClosedRange<Int64>) -> Int {
        var absent = 0
        for seq in range where !contains(seq) { absent += 1 }
        return absent
    }

    /// How many numbers of `range` are present.
    func present(in range: ClosedRange<Int64>) -> Int {
        range.count - missing(in: range)
    }
}
