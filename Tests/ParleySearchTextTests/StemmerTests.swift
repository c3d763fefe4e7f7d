import ParleySearchText
import Testing

/// Word → Porter2 stem pairs, each traced through the published Snowball English rules (and
/// cross-checked against a Snowball implementation while writing them).
private let porter2Pairs: [(String, String)] = [
    // The families the search must unify.
    ("deploy", "deploy"), ("deployed", "deploy"), ("deploying", "deploy"), ("deploys", "deploy"),
    ("deployment", "deploy"), ("running", "run"), ("runs", "run"), ("ran", "ran"),
    ("connection", "connect"), ("connections", "connect"), ("connected", "connect"),
    ("connecting", "connect"), ("happiness", "happi"), ("happy", "happi"),
    // Step 1a.
    ("caresses", "caress"), ("ponies", "poni"), ("ties", "tie"), ("cries", "cri"), ("gas", "gas"),
    ("gaps", "gap"), ("kiwis", "kiwi"),
    // Step 1b.
    ("agreed", "agre"), ("feed", "feed"), ("plastered", "plaster"), ("motoring", "motor"),
    ("sing", "sing"), ("conflated", "conflat"), ("troubled", "troubl"), ("sized", "size"),
    ("hopping", "hop"), ("tanned", "tan"), ("falling", "fall"), ("hissing", "hiss"),
    ("fizzed", "fizz"), ("failing", "fail"), ("filing", "file"), ("staging", "stage"),
    // Step 1c.
    ("crying", "cri"), ("enjoying", "enjoy"), ("syzygy", "syzygi"),
    // Steps 2–5.
    ("relational", "relat"), ("conditional", "condit"), ("rational", "ration"),
    ("hopefulness", "hope"), ("electricity", "electr"), ("adjustable", "adjust"),
    ("replacement", "replac"), ("formality", "formal"), ("sensitivity", "sensit"),
    ("decisiveness", "decis"), ("callousness", "callous"), ("triplicate", "triplic"),
    ("effective", "effect"), ("adoption", "adopt"), ("dependent", "depend"), ("airliner", "airlin"),
    ("consistency", "consist"), ("knightly", "knight"), ("release", "releas"), ("title", "titl"),
    ("controll", "control"), ("roll", "roll"),
    // Fixed R1 prefixes and the exception lists.
    ("generously", "generous"), ("generation", "generat"), ("communication", "communic"),
    ("dying", "die"), ("skies", "sky"), ("news", "news"), ("early", "earli"), ("gently", "gentl"),
    ("bias", "bias"), ("cosmos", "cosmos"), ("proceed", "proceed"), ("innings", "inning"),
    ("succeeded", "succeed"), ("knives", "knive"), ("consolingly", "consol"),
]

@Suite("Porter2 stemmer")
struct StemmerTests {
    @Test func tableHasEnoughPairs() {
        #expect(porter2Pairs.count >= 40)
    }

    @Test(arguments: porter2Pairs)
    func stemsLikePorter2(word: String, stem: String) {
        #expect(TextNormalizer.normalize(word: word) == stem)
    }

    @Test func wordFamiliesShareAStem() {
        let families = [
            ["deploy", "deployed", "deploying", "deploys", "deployment", "DEPLOYING"],
            ["connection", "connections", "connected", "connecting"],
            ["happiness", "happy"],
            ["running", "runs", "run"],
        ]
        for family in families {
            #expect(Set(family.map { TextNormalizer.normalize(word: $0) }).count == 1, "\(family)")
        }
    }

    @Test func shortAndNonEnglishWordsAreNotStemmed() {
        #expect(TextNormalizer.normalize(word: "ed") == "ed")
        #expect(TextNormalizer.normalize(word: "ies") == "ie")  // three letters: stemmed by the rules
        #expect(TextNormalizer.normalize(word: "соединения") == "соединения")
        #expect(TextNormalizer.normalize(word: "日") == "日")
        #expect(TextNormalizer.normalize(word: "2024s") == "2024s")
    }

    @Test func oddLetterSequencesDoNotCrash() {
        let odd = [
            "yyy", "yyyyyy", "sss", "eed", "ied", "ing", "ingly", "eedly", "sses", "s3s", "000s",
            "aeiouy", "bcdfg", "yes", "eye", "li", "lli", "ogi", "logi", "ational", "ization",
            String(repeating: "a", count: 64), String(repeating: "y", count: 64), String(repeating: "ing", count: 21),
        ]
        for word in odd {
            let stem = TextNormalizer.normalize(word: word)
            #expect(stem.map { !$0.isEmpty } ?? true, "\(word)")
            #expect(TextNormalizer.normalize(word: word) == stem)
        }
    }
}
