import Testing
@testable import ParleySummary

@Suite("Sentence splitting")
struct SentenceSplitterTests {
    @Test("Terminal punctuation splits; glued dots in URLs, decimals and versions do not", arguments: [
        ("Check http://a.b/c.d now. Then we talk", ["Check http://a.b/c.d now.", "Then we talk"]),
        ("See https://example.com/docs/v2.html?x=1. It explains it", ["See https://example.com/docs/v2.html?x=1.", "It explains it"]),
        ("Pi is 3.14 and we ship v1.2.3 today. Next one!", ["Pi is 3.14 and we ship v1.2.3 today.", "Next one!"]),
        ("Mail me at john.doe@example.com. Bye!", ["Mail me at john.doe@example.com.", "Bye!"]),
        ("Really?! Yes!!! No way…", ["Really?!", "Yes!!!", "No way…"]),
    ])
    func punctuation(input: String, expected: [String]) {
        #expect(SentenceSplitter.sentences(in: input) == expected)
    }

    @Test("Abbreviations and initials do not end sentences", arguments: [
        ("I met Mr. Smith and Dr. Jones at the bar. They were nice.", ["I met Mr. Smith and Dr. Jones at the bar.", "They were nice."]),
        ("Bring fruit, e.g. apples, i.e. something sweet. Thanks", ["Bring fruit, e.g. apples, i.e. something sweet.", "Thanks"]),
        ("Cats vs. dogs is an old debate. Pick one", ["Cats vs. dogs is an old debate.", "Pick one"]),
        ("We need apples, pears, etc. and some bread", ["We need apples, pears, etc. and some bread"]),
        ("We need apples, pears, etc. Then we go home", ["We need apples, pears, etc.", "Then we go home"]),
        ("J. R. R. Tolkien wrote it. Nice.", ["J. R. R. Tolkien wrote it.", "Nice."]),
    ])
    func abbreviations(input: String, expected: [String]) {
        #expect(SentenceSplitter.sentences(in: input) == expected)
    }

    @Test("An ellipsis inside a thought does not split; one before a capital does")
    func ellipsis() {
        #expect(SentenceSplitter.sentences(in: "well... maybe we should wait... Or not.") == ["well... maybe we should wait...", "Or not."])
        #expect(SentenceSplitter.sentences(in: "hmm… let me think") == ["hmm… let me think"])
    }

    @Test("Newlines split chat lines even without punctuation")
    func newlines() {
        #expect(SentenceSplitter.sentences(in: "ok\nsounds good\r\nsee you at 5") == ["ok", "sounds good", "see you at 5"])
        #expect(SentenceSplitter.sentences(in: "\n\n  \n") == [])
    }

    @Test("Emoji stay inside sentences and may form their own")
    func emoji() {
        #expect(SentenceSplitter.sentences(in: "Great! 🎉 See you tomorrow") == ["Great! 🎉", "See you tomorrow"])
        #expect(SentenceSplitter.sentences(in: "😀😀\nthanks 👍🏽 for that") == ["😀😀", "thanks 👍🏽 for that"])
        #expect(SentenceSplitter.sentences(in: "👨‍👩‍👧‍👦. 🇫🇷! ❤️") == ["👨‍👩‍👧‍👦.", "🇫🇷! ❤️"])
    }

    @Test("Inline code and fenced blocks stay whole")
    func code() {
        #expect(SentenceSplitter.sentences(in: "Run `make test. all` first. Then deploy") == ["Run `make test. all` first.", "Then deploy"])
        let fenced = "Here is the fix:\n```\nlet x = 1. y = 2!\nprint(x)\n```\nDone. Thanks"
        #expect(SentenceSplitter.sentences(in: fenced) == ["Here is the fix:", "```\nlet x = 1. y = 2!\nprint(x)\n```", "Done.", "Thanks"])
        #expect(SentenceSplitter.segments(in: fenced)[1].kind == .code)
        // An unclosed fence runs to the end rather than swallowing nothing.
        #expect(SentenceSplitter.sentences(in: "Look:\n```\nbroken. code") == ["Look:", "```\nbroken. code"])
    }

    @Test("Control characters are dropped")
    func controlCharacters() {
        #expect(SentenceSplitter.sentences(in: "line one\u{0007} bell\u{0000}. next\u{001B}") == ["line one bell.", "next"])
    }
}
