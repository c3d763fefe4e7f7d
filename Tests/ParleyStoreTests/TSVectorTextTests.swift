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
