import Foundation

/// A sparse, L2-normalised term vector: (term id, weight) pairs.
typealias TermVector = [(term: Int, weight: Double)]

/// PageRank over a cosine-similarity graph of sentences (TextRank / LexRank style).
enum TextRank {
    static let damping = 0.85
    static let maximumIterations = 100
    static let tolerance = 1e-7
    /// Edges weaker than this are noise from one shared common word and are dropped.
    static let minimumSimilarity = 0.01

    /// TF-IDF vectors for tokenised sentences; idf is smoothed so a word in every sentence still counts a little.
    static func vectors(for sentences: [[String]]) -> (vectors: [TermVector], termCount: Int) {
        var ids: [String: Int] = [:]
        var documentFrequency: [Int] = []
        var counted: [[Int: Int]] = []
        counted.reserveCapacity(sentences.count)
        for words in sentences {
            var counts: [Int: Int] = [:]
            for word in words {
                let id: Int
                if let existing = ids[word] {
                    id = existing
                } else {
                    id = documentFrequency.count
                    ids[word] = id
                    documentFrequency.append(0)
                }
                if counts[id] == nil { documentFrequency[id] += 1 }
                counts[id, default: 0] += 1
            }
            counted.append(counts)
        }
        let total = Double(max(1, sentences.count))
        let vectors = counted.map { counts -> TermVector in
            var vector = counts.map { id, count in
                (term: id, weight: (1 + log(Double(count))) * log(1 + total / Double(documentFrequency[id])))
            }
            let norm = vector.reduce(0) { $0 + $1.weight * $1.weight }.squareRoot()
            if norm > 0 {
                for index in vector.indices { vector[index].weight /= norm }
            }
            return vector
        }
        return (vectors, documentFrequency.count)
    }

    /// The stationary PageRank score of every sentence; isolated sentences keep the teleport share.
    static func rank(_ vectors: [TermVector], termCount: Int) -> [Double] {
        let count = vectors.count
        guard count > 0 else { return [] }
        let graph = SimilarityGraph(vectors: vectors, termCount: termCount)
        var scores = [Double](repeating: 1 / Double(count), count: count)
        var next = scores
        let teleport = (1 - damping) / Double(count)
        for _ in 0..<maximumIterations {
            // Rank held by sentences without neighbours is spread evenly, keeping the total at 1.
            var dangling = 0.0
            for node in 0..<count where graph.outWeight[node] == 0 { dangling += scores[node] }
            let base = teleport + damping * dangling / Double(count)
            var change = 0.0
            for node in 0..<count {
                var incoming = 0.0
                for edge in graph.rowStart[node]..<graph.rowStart[node + 1] {
                    let neighbour = graph.neighbours[edge]
                    incoming += graph.weights[edge] / graph.outWeight[neighbour] * scores[neighbour]
                }
                next[node] = base + damping * incoming
                change += abs(next[node] - scores[node])
            }
            swap(&scores, &next)
            if change < tolerance { break }
        }
        return scores
    }
}

/// Symmetric weighted adjacency in compressed rows, built through an inverted index so only sentences that share a word are compared.
struct SimilarityGraph {
    private(set) var rowStart: [Int] = [0]
    private(set) var neighbours: [Int] = []
    private(set) var weights: [Double] = []
    private(set) var outWeight: [Double] = []

    init(vectors: [TermVector], termCount: Int) {
        var postings = [[(sentence: Int, weight: Double)]](repeating: [], count: termCount)
        for (sentence, vector) in vectors.enumerated() {
            for entry in vector { postings[entry.term].append((sentence, entry.weight)) }
        }
        var scratch = [Double](repeating: 0, count: vectors.count)
        var touched: [Int] = []
        for (sentence, vector) in vectors.enumerated() {
            for entry in vector {
                for posting in postings[entry.term] where posting.sentence != sentence {
                    if scratch[posting.sentence] == 0 { touched.append(posting.sentence) }
                    scratch[posting.sentence] += entry.weight * posting.weight
                }
            }
            var sum = 0.0
            for other in touched.sorted() {
                let similarity = scratch[other]
                scratch[other] = 0
                guard similarity >= TextRank.minimumSimilarity else { continue }
                neighbours.append(other)
                weights.append(similarity)
                sum += similarity
            }
            touched.removeAll(keepingCapacity: true)
            outWeight.append(sum)
            rowStart.append(neighbours.count)
        }
    }
}
