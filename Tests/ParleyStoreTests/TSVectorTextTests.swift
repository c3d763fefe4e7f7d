@testable import ParleyStore
import Testing

@Suite("tsvector text")
struct TSVectorTextTests {
    @Test("lexemes are placed at their positions, in text order")
    func positions() {
        let tokens = TSVectorText.tokens("'00000000000000aa':1,3 'ffffffffffffffff':2 '000000000000000b':4A")
        #expect(tokens == [0xaa, UInt64.max, 0xaa, 0x0b])
    }

    @Test("anything that is not one of our tokens is skipped, never trapped on")
    func malformed() {
        #expect(TSVectorText.tokens("").isEmpty)
        #expect(TSVectorText.tokens("'word':1 'abc':2").isEmpty)
        #expect(TSVectorText.tokens("'00000000000000aa'") .isEmpty)
        #expect(TSVectorText.tokens("'00000000000000aa':") .isEmpty)
        #expect(TSVectorText.tokens("'00000000000000aa':99999999999999999999").isEmpty)
        #expect(TSVectorText.tokens("'00000000000000aa':2") == [0, 0xaa])
        #expect(TSVectorText.tokens("'00000000000000aa:1") .isEmpty)
    }
}

@Suite("Posting terms")
struct PostingTermsTests {
    @Test("a message's terms are its tokens and the bigrams of neighbours; gaps break pairs")
    func terms() {
        let terms = PostingTerms.terms([1, 2, 0, 3, 1, 2])
        #expect(terms == [1, 2, 3, PostingTerms.bigram(1, 2), PostingTerms.bigram(3, 1)])
        #expect(PostingTerms.bigram(1, 2) != PostingTerms.bigram(2, 1))
    }

    @Test("tokens past PostgreSQL's limits are left out of the vector and the postings alike")
    func limits() {
        let kept = PostingTerms.kept(Array(repeating: 7, count: 300) + [9])
        #expect(kept.count == 301)
        #expect(kept.prefix(256).allSatisfy { $0 == 7 } && kept[256..<300].allSatisfy { $0 == 0 } && kept[300] == 9)
        #expect(PostingTerms.kept(Array(repeating: 5, count: 20_000)).count == PostingTerms.tokenLimit)
        // The literal keeps positions, so what is read back lines up with what was written.
        let literal = PostingTerms.tsvectorLiteral([0xab, 0, UInt64.max])
        #expect(literal == "00000000000000ab:1 ffffffffffffffff:3")
    }
}
