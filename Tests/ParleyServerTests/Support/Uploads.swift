import Foundation
import NIOCore
import Synchronization
import ParleyCore
import ParleyTestSupport

/// Sample files whose first bytes make them what their names say.
enum Samples {
    static func padded(_ head: [UInt8], to size: Int = 2048) -> [UInt8] {
        var bytes = head
        while bytes.count < size { bytes.append(UInt8(truncatingIfNeeded: bytes.count &* 31)) }
        return bytes
    }

    static let jpeg = padded([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8))
    static let png = padded([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D] + Array("IHDR".utf8))
    static let gif = padded(Array("GIF89a".utf8))
    static let webp = padded(Array("RIFF".utf8) + [0x24, 0x08, 0, 0] + Array("WEBPVP8 ".utf8))
    static let pdf = padded(Array("%PDF-1.7\n".utf8))
    static let text = Array(String(repeating: "Plain text, ünïcode and emoji 🎉.\n", count: 40).utf8)
    static let mp3 = padded(Array("ID3".utf8) + [0x04, 0x00])
    static let mp4 = padded([0, 0, 0, 0x20] + Array("ftypisom".utf8))
    static let webm = padded([0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84] + Array("webm".utf8))
    static let ogg = padded(Array("OggS".utf8) + [0x00, 0x02])
    static let zip = padded([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00])
    static let executable = padded([0x4D, 0x5A, 0x90, 0x00])

    static func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255) } }
}

/// A `multipart/form-data` body.
struct MultipartBody {
    let boundary = "parley-test-\(UUID().uuidString)"
    private(set) var bytes: [UInt8] = []

    mutating func field(_ name: String, _ value: String) {
        bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }

    mutating func file(_ name: String = "file", filename: String, type: String? = nil, contents: [UInt8]) {
        var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\n"
        if let type { head += "Content-Type: \(type)\r\n" }
        bytes += Array((head + "\r\n").utf8) + contents + Array("\r\n".utf8)
    }

    func finished() -> [UInt8] { bytes + Array("--\(boundary)--\r\n".utf8) }
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }
}

extension TestServer {
    /// Uploads a file to a room.
    func upload(_ contents: [UInt8], filename: String, type: String? = nil, to room: String?, by user: TestUser) async throws -> TestResponse {
        var body = MultipartBody()
        if let room { body.field("chatroom_id", room) }
        body.file(filename: filename, type: type, contents: contents)
        return try await request(.POST, "/upload/file", body: body.finished(), token: user.accessToken, headers: [("Content-Type", body.contentType)])
    }

    func uploadAvatar(_ contents: [UInt8], filename: String, by user: TestUser) async throws -> TestResponse {
        var body = MultipartBody()
        body.file(filename: filename, contents: contents)
        return try await request(.POST, "/users/me/avatar", body: body.finished(), token: user.accessToken, headers: [("Content-Type", body.contentType)])
    }
}

/// A body handed to the HTTP client one chunk at a time, only when it asks: a head, `fillerChunks` chunks of
/// 64 KiB of "x", a tail, never all in memory. (The client goes on taking chunks after the server closed, so
/// what it took says nothing about what the server read.)
final class PulledBody: Sendable {
    private let head: ByteBuffer
    private let filler = ByteBuffer(repeating: UInt8(ascii: "x"), count: 64 * 1024)
    private let fillerChunks: Int
    private let tail: ByteBuffer
    private let next = Mutex(0)

    init(head: [UInt8], fillerChunks: Int, tail: [UInt8]) {
        self.head = ByteBuffer(bytes: head)
        self.fillerChunks = fillerChunks
        self.tail = ByteBuffer(bytes: tail)
    }

    var stream: AsyncStream<ByteBuffer> { AsyncStream(unfolding: { self.nextChunk() }) }

    private func nextChunk() -> ByteBuffer? {
        next.withLock { next in
            defer { next += 1 }
            switch next {
            case 0: return head
            case 1...fillerChunks: return filler
            case fillerChunks + 1: return tail
            default: return nil
            }
        }
    }
}
