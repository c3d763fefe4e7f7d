import ParleySearchText
import Testing

@Suite("Folding")
struct FoldingTests {
    @Test(arguments: [
        ("Café", "cafe"), ("ÜBER", "uber"), ("mañana", "manana"), ("Ça", "ca"), ("Ångström", "angstrom"),
        ("Straße", "strasse"), ("GROẞ", "gross"), ("ﬁnal", "final"), ("ＡＢＣ", "abc"),
        ("İstanbul", "istanbul"), ("Dvořák", "dvorak"), ("ΟΔΟΣ", "οδοσ"), ("οδός", "οδοσ"),
        ("Ёлка", "елка"), ("שָׁלוֹם", "שלום"), ("مَرْحَبًا", "مرحبا"),
    ])
    func foldsToPlainLowercase(input: String, expected: String) {
        #expect(TextNormalizer.foldedWords(in: input) == [expected])
    }

    @Test func scriptEssentialMarksAreKept() {
        // Kana voicing marks change the letter, so they survive (and recompose).
        #expect(TextNormalizer.foldedWords(in: "がっこう") == ["が", "っ", "こ", "う"])
        #expect(TextNormalizer.foldedWords(in: "ガ") == TextNormalizer.foldedWords(in: "ｶﾞ"))
        // Devanagari vowel signs are marks too, and the word must not be gutted.
        #expect(TextNormalizer.foldedWords(in: "नमस्ते") == ["नमस्ते"])
    }

    @Test func indexAndQuerySpellingsMeet() {
        #expect(TextNormalizer.normalize(word: "Café") == TextNormalizer.normalize(word: "cafe"))
        #expect(TextNormalizer.normalize(word: "DEPLOYING") == TextNormalizer.normalize(word: "deployment"))
        #expect(TextNormalizer.normalize(word: "straße") == TextNormalizer.normalize(word: "STRASSE"))
        #expect(TextNormalizer.normalize(word: "naïve") == TextNormalizer.normalize(word: "NAIVE"))
    }

    @Test func foldingIsLocaleIndependentLowercasing() {
        // Turkish-locale lowercasing would give a dotless ı; the search must not depend on locale.
        #expect(TextNormalizer.foldedWords(in: "INDEX") == ["index"])
    }

    @Test func fastPathsAgreeWithTheDefiningFold() {
        // "ﬀ" (a ligature outside the fast tables) forces the Foundation-based path for its word,
        // while "ff" keeps the word on the scalar table path; the folds must agree for every scalar.
        var checked = 0
        for value in Array(0x80..<0x800) + Array(0x1E00..<0x2000) {
            // Prepended concatenation marks (format characters) swallow the next letter into their
            // own separator character, so the two spellings would split differently; skip them.
            guard let scalar = Unicode.Scalar(UInt32(value)), scalar.properties.generalCategory != .format else {
                continue
            }
            let fast = TextNormalizer.foldedWords(in: "x\(scalar)ff")
            let defining = TextNormalizer.foldedWords(in: "x\(scalar)\u{FB00}")
            #expect(fast == defining, "U+\(String(value, radix: 16, uppercase: true))")
            checked += 1
        }
        #expect(checked > 2_000)
        #expect(TextNormalizer.foldedWords(in: "か\u{3099}") == TextNormalizer.foldedWords(in: "が"))
        #expect(TextNormalizer.foldedWords(in: "한국ﬀ") == TextNormalizer.foldedWords(in: "한국ff"))
        #expect(TextNormalizer.foldedWords(in: "\u{1112}\u{1161}\u{11AB}") == ["한"])
    }
}
