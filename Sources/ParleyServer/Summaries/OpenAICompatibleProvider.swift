import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOFoundationCompat
import ParleyCore
import ParleySummary

/// Summaries written by any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, llama.cpp).
/// Every failure — timeout, HTTP error, a reply that is not the expected JSON — returns nil so that the
/// built-in summarizer takes over.
struct OpenAICompatibleProvider: SummaryProvider {
    let baseURL: String
    let model: String
    let apiKey: String?
    let timeout: TimeAmount
    let logger: Logger
    /// Longest transcript sent; older lines are dropped first.
    static let transcriptLimit = 24_000

    var name: String { "llm:\(model)" }

    struct Request: Encodable {
        struct Message: Encodable {
            let role: String
            let content: String
        }
        let model: String
        let messages: [Message]
        let temperature: Double
    }

    struct Reply: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable { let content: String? }
            let message: Message
        }
        let choices: [Choice]
    }

    func summarize(_ lines: [ChatLine], customPrompt: String?) async -> String? {
        var messages = [Request.Message(role: "system", content: """
            You summarise chat conversations for the people in them. Write a short, factual summary of at most five \
            sentences in the conversation's language. Mention who said or decided what. Do not invent anything.
            """)]
        if let customPrompt { messages.append(.init(role: "system", content: "Additional instructions from the user: " + customPrompt)) }
        messages.append(.init(role: "user", content: Self.transcript(lines)))
        do {
            var request = HTTPClientRequest(url: baseURL.hasSuffix("/") ? baseURL + "chat/completions" : baseURL + "/chat/completions")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
            request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(Request(model: model, messages: messages, temperature: 0.2))))
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok else {
                logger.warning("Summary provider answered an error; using the built-in summarizer", metadata: ["status": "\(response.status.code)"])
                return nil
            }
            let reply = try JSONDecoder().decode(Reply.self, from: Data(buffer: body))
            guard let text = reply.choices.first?.message.content?.trimmingWhitespace(), !text.isEmpty else { return nil }
            return String(text.prefix(4000))
        } catch {
            logger.warning("Summary provider failed; using the built-in summarizer", metadata: ["error": .string("\(error)")])
            return nil
        }
    }

    /// `Name: text` lines, newest kept when the whole conversation is too long.
    static func transcript(_ lines: [ChatLine]) -> String {
        var kept: [String] = []
        var size = 0
        for line in lines.reversed() {
            let entry = "\(line.speakerName): \(line.text)"
            guard size + entry.count < transcriptLimit else { break }
            kept.append(entry)
            size += entry.count + 1
        }
        return kept.reversed().joined(separator: "\n")
    }
}
