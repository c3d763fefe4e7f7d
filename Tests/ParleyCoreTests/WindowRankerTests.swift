import ParleyCore
import Testing

@Suite("Window ranker")
struct WindowRankerTests {
    /// Words stand for tokens: each letter becomes a distinct 64-bit number.
    private func numbers(_ text: String) -> [UInt64] {
        text.split(separator: " ").map { word in word.unicodeScalars.reduce(UInt64(0)) { $0 &* 131 &+ UInt64($1.value) } }
    }

    private func candidate(_ id: Int64, _ text: String) -> WindowRanker.Candidate {
        WindowRanker.Candidate(id: id, tokens: numbers(text))
    }

    @Test("phrases count only consecutive tokens")
    func occurrences() {
        let tokens = numbers("a b a b c a")
        #expect(WindowRanker.occurrences(of: numbers("a"), in: tokens) == 3)
        #expect(WindowRanker.occurrences(of: numbers("a b"), in: tokens) == 2)
        #expect(WindowRanker.occurrences(of: numbers("b a"), in: tokens) == 1)
        #expect(WindowRanker.occurrences(of: numbers("c a x"), in: tokens) == 0)
        #expect(WindowRanker.occurrences(of: [], in: tokens) == 0)
    }

    @Test("more occurrences and shorter messages rank higher; rarer terms weigh more")
    func ordering() {
        let ranker = WindowRanker(clauses: [(numbers("deploy"), 10), (numbers("friday"), 1_000)], collectionSize: 10_000)
        let best = ranker.best([
            candidate(1, "deploy friday x x x x x x"),
            candidate(2, "deploy deploy friday"),
            candidate(3, "deploy friday"),
            candidate(4, "friday friday friday deploy x x x x x x x x"),
        ], limit: 10)
        #expect(best.map(\.id) == [2, 3, 1, 4])
        #expect(best.allSatisfy { $0.score > 0 })
    }

    @Test("equal scores put the newest first; the limit applies")
    func ties() {
        let ranker = WindowRanker(clauses: [(numbers("t"), 5)], collectionSize: 100)
        let best = ranker.best((1...5).map { candidate(Int64($0), "t u") }, limit: 3)
        #expect(best.map(\.id) == [5, 4, 3])
        #expect(WindowRanker(clauses: [], collectionSize: 0).best([candidate(1, "x")], limit: 1).first?.score ?? 0 > 0)
        #expect(ranker.best([], limit: 3).isEmpty)
    }

    @Test("token lists parse as 16-hex-digit numbers; anything else is skipped")
    func parsing() {
        let candidate = WindowRanker.Candidate(id: 1, tokenList: "93e7ef164502d5f3 zz 5a658ae66c758d40 123 ffffffffffffffff")
        #expect(candidate.tokens == [0x93e7ef164502d5f3, 0x5a658ae66c758d40, UInt64.max])
        #expect(WindowRanker.number("93e7ef164502d5f3") == 0x93e7ef164502d5f3)
        #expect(WindowRanker.number("93e7ef164502d5f") == nil)
        #expect(WindowRanker.number("93e7ef164502d5f3 0000000000000000") == nil)
        #expect(WindowRanker.Candidate(id: 2, tokenList: "").tokens.isEmpty)
    }
}
