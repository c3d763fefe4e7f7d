/// English function words that carry no search meaning.
///
/// Matched against the folded (unstemmed) word, so entries are lowercase, accent-free and without
/// apostrophes: contractions appear the way folding spells them ("don't" → "dont"). Contractions
/// that fold into real words ("we'll" → "well", "she'll" → "shell", "I'd" → "id") are deliberately
/// absent. Words that matter in operations chat ("down", "up", "out", "off", "over") are kept searchable.
enum StopWords {
    /// Whether the folded word is a stop word.
    static func contains(_ foldedWord: String) -> Bool {
        // Skips hashing for the many words longer than any stop word.
        foldedWord.utf8.count <= longestWordLength && words.contains(foldedWord)
    }

    /// Length in UTF-8 bytes of the longest stop word.
    private static let longestWordLength = words.map(\.utf8.count).max() ?? 0

    static let words: Set<String> = [
        // Articles, conjunctions, and common prepositions.
        "a", "an", "the", "and", "or", "nor", "but", "if", "then", "else", "than", "so", "as",
        "of", "to", "in", "on", "at", "by", "for", "from", "with", "without", "into", "onto", "about",
        "between", "through", "during", "before", "after", "until", "while", "because", "since",
        "against", "among", "per", "via", "upon", "within",
        // Pronouns and determiners.
        "i", "me", "my", "myself", "we", "us", "our", "ours", "ourselves",
        "you", "your", "yours", "yourself", "yourselves",
        "he", "him", "his", "himself", "she", "her", "hers", "herself",
        "it", "its", "itself", "they", "them", "their", "theirs", "themselves",
        "this", "that", "these", "those", "what", "which", "who", "whom", "whose",
        "when", "where", "why", "how", "there", "here",
        "all", "any", "both", "each", "every", "other", "some", "such", "either", "neither",
        "no", "not", "only", "own", "same", "very", "too", "just", "also",
        // Auxiliary and modal verbs.
        "am", "is", "are", "was", "were", "be", "been", "being",
        "have", "has", "had", "having", "do", "does", "did", "doing",
        "will", "would", "shall", "should", "can", "could", "may", "might", "must",
        // Contractions as folding spells them.
        "im", "ive", "youre", "youve", "youll", "youd", "hes", "shes", "weve", "theyre",
        "theyve", "theyll", "theyd", "thats", "theres", "whats", "whos", "lets",
        "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "hasnt", "havent", "hadnt",
        "cant", "couldnt", "wouldnt", "shouldnt", "wont", "mustnt", "neednt",
    ]
}
