import ParleyCore

/// An incremental `multipart/form-data` parser (RFC 7578): feed it the body in chunks, get part headers and
/// body bytes back as they are recognised. Body bytes are passed on at once, except the few at a chunk's
/// end that could be the start of a boundary.
///
/// Written for Parley instead of using a library parser so that any byte sequence a client sends ends in
/// an error answer, never in a crash.
struct MultipartStreamParser {
    enum Event {
        case headers([(name: String, value: String)])
        case body([UInt8])
        case partEnd
    }

    private enum State {
        case preamble
        case afterBoundary
        case headers
        case body
        case epilogue
    }

    static let maximumHeaderBytes = 16 * 1024
    static let maximumPreambleBytes = 64 * 1024

    private let delimiter: [UInt8]
    private var buffer: [UInt8] = []
    private var state = State.preamble
    private var discardedPreamble = 0
    /// True once the closing boundary was seen.
    private(set) var finished = false

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        // The first boundary may start the body without a preceding line break.
        buffer = Array("\r\n".utf8)
    }

    mutating func feed(_ bytes: [UInt8], _ handle: (Event) throws -> Void) throws {
        buffer += bytes
        var progress = true
        while progress {
            progress = false
            switch state {
            case .preamble:
                if let index = find(delimiter, in: buffer) {
                    buffer.removeFirst(index + delimiter.count)
                    state = .afterBoundary
                    progress = true
                } else {
                    let keep = min(buffer.count, delimiter.count - 1)
                    discardedPreamble += buffer.count - keep
                    buffer.removeFirst(buffer.count - keep)
                    guard discardedPreamble <= Self.maximumPreambleBytes else { throw Self.malformed }
                }
            case .afterBoundary:
                // "--" closes the body; otherwise optional white space then CRLF opens a part.
                guard buffer.count >= 2 else { break }
                if buffer[0] == UInt8(ascii: "-") && buffer[1] == UInt8(ascii: "-") {
                    state = .epilogue
                    finished = true
                    buffer.removeAll()
                    break
                }
                guard let lineEnd = find(Array("\r\n".utf8), in: buffer) else {
                    guard buffer.count <= 256 else { throw Self.malformed }
                    break
                }
                guard buffer[0..<lineEnd].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) else { throw Self.malformed }
                buffer.removeFirst(lineEnd + 2)
                state = .headers
                progress = true
            case .headers:
                guard let end = find(Array("\r\n\r\n".utf8), in: buffer) else {
                    if buffer.starts(with: Array("\r\n".utf8)) {
                        // A part without headers.
                        buffer.removeFirst(2)
                        try handle(.headers([]))
                        state = .body
                        progress = true
                        break
                    }
                    guard buffer.count <= Self.maximumHeaderBytes else { throw Self.malformed }
                    break
                }
                let headers = try Self.parseHeaders(Array(buffer[0..<end]))
                buffer.removeFirst(end + 4)
                try handle(.headers(headers))
                state = .body
                progress = true
            case .body:
                if let index = find(delimiter, in: buffer) {
                    if index > 0 { try handle(.body(Array(buffer[0..<index]))) }
                    buffer.removeFirst(index + delimiter.count)
                    try handle(.partEnd)
                    state = .afterBoundary
                    progress = true
                } else {
                    // Everything but a possible partial delimiter at the end is body.
                    let safe = buffer.count - min(buffer.count, delimiter.count - 1)
                    if safe > 0 {
                        try handle(.body(Array(buffer[0..<safe])))
                        buffer.removeFirst(safe)
                    }
                }
            case .epilogue:
                buffer.removeAll()
            }
        }
    }

    /// `Name: value` lines; names must be HTTP tokens. Values are read as UTF-8 with control characters
    /// dropped (file names are sanitised again later).
    private static func parseHeaders(_ bytes: [UInt8]) throws -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            var line = Array(line)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { throw malformed }
            let name = line[0..<colon]
            guard name.allSatisfy(isTokenByte) else { throw malformed }
            let valueBytes = line[(colon + 1)...].drop(while: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            let value = String(String.UnicodeScalarView(String(decoding: valueBytes, as: UTF8.self).unicodeScalars.filter {
                $0.value >= 0x20 && $0.value != 0x7F
            }))
            headers.append((String(decoding: name, as: UTF8.self), value.trimmingWhitespace()))
        }
        return headers
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            guard let candidate = haystack[index...last].firstIndex(of: first) else { return nil }
            if haystack[candidate..<(candidate + needle.count)].elementsEqual(needle) { return candidate }
            index = candidate + 1
        }
        return nil
    }

    static let malformed = ParleyError.malformedBody("The multipart body could not be read")
}
