import Foundation
import ParleyCore
import Testing

@testable import ParleyServer

@Suite("Multipart parsing")
struct MultipartParserTests {
    func parse(_ body: [UInt8], boundary: String = "XyZ", chunk: Int) throws -> (parts: [([(name: String, value: String)], [UInt8])], finished: Bool) {
        var parser = MultipartStreamParser(boundary: boundary)
        var parts: [([(name: String, value: String)], [UInt8])] = []
        var headers: [(name: String, value: String)] = []
        var bytes: [UInt8] = []
        var start = 0
        while start < body.count {
            let piece = Array(body[start..<min(body.count, start + chunk)])
            try parser.feed(piece) { event in
                switch event {
                case .headers(let h): headers = h; bytes = []
                case .body(let b): bytes += b
                case .partEnd: parts.append((headers, bytes))
                }
            }
            start += chunk
        }
        return (parts, parser.finished)
    }

    @Test("parts and their bytes survive any chunking, including boundaries split across chunks")
    func chunking() throws {
        let file: [UInt8] = Array("line one --XyZ not a boundary\r\n--Xy\r\n-".utf8) + (0..<300).map { UInt8($0 % 256) }
        let body = Array("preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"chatroom_id\"\r\n\r\nabc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
            + file + Array("\r\n--XyZ--\r\nepilogue".utf8)
        for chunk in [1, 2, 3, 7, 16, 64, 4096] {
            let result = try parse(body, chunk: chunk)
            #expect(result.finished, "chunk \(chunk)")
            #expect(result.parts.count == 2, "chunk \(chunk)")
            #expect(result.parts.first?.1 == Array("abc".utf8))
            #expect(result.parts.last?.1 == file, "chunk \(chunk)")
            #expect(result.parts.last?.0.first { $0.name == "Content-Type" }?.value == "application/octet-stream")
        }
    }

    @Test("hostile bytes are refused without crashing")
    func hostile() {
        let cases: [[UInt8]] = [
            Array("--XyZ\r\n".utf8) + [0xC3, 0xA9, 0xFF, 0x80] + Array(": x\r\n\r\nbody\r\n--XyZ--".utf8),
            Array("--XyZ\r\nNo colon here\r\n\r\nbody\r\n--XyZ--".utf8),
            Array("--XyZ\r\n: empty name\r\n\r\n--XyZ--".utf8),
            Array("--XyZjunk\r\n".utf8),
            Array("--XyZ\r\n".utf8) + Array(repeating: UInt8(ascii: "a"), count: 20_000),
            Array(repeating: UInt8(ascii: "x"), count: 100_000),
        ]
        for body in cases {
            for chunk in [1, 5, 1000] {
                do {
                    let result = try parse(body, chunk: chunk)
                    #expect(!result.finished || result.parts.count <= 1)
                } catch {
                    #expect(error is ParleyError)
                }
            }
        }
    }
}
