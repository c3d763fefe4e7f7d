import Foundation
import Hummingbird
import NIOCore
import ParleyCore

/// Reads a `multipart/form-data` body as it arrives, streaming the `file` part into an upload sink and
/// keeping the small text fields; the body is never held in memory whole, nor read past its cap.
final class MultipartUpload {
    /// Room for everything in a body besides the file: part headers, boundaries, `chatroom_id`. The file
    /// limit plus this is the most of a body ever read.
    static let bodyAllowance = 64 * 1024

    private let fileLimit: Int
    private(set) var fields: [String: String] = [:]
    private(set) var filename: String?
    private(set) var claimedType: String?
    private(set) var sawFile = false
    private let sink: UploadSink
    private var currentName: String?
    private var currentFilename: String?
    private var currentType: String?
    private var currentIsFile = false
    private var fieldBuffer: [UInt8] = []
    private var failure: (any Error)?
    private static let fieldLimit = 1024

    init(sink: UploadSink) {
        self.sink = sink
        self.fileLimit = sink.maximumBytes
    }

    /// The 413 for a body (or its announced length) past `fileLimit` plus the allowance: the same answer as
    /// a file that is too large, since the file is what a well-formed body is made of.
    static func tooLarge(fileLimit: Int) -> ParleyError {
        ParleyError(.fileTooLarge, status: 413, "File exceeds \(fileLimit) bytes", details: ["limit_bytes": .int(fileLimit)])
    }

    /// The boundary of a `multipart/form-data` content type; 400 otherwise.
    static func boundary(of request: Request) throws -> String {
        let contentType = request.headers[.contentType] ?? ""
        let parts = contentType.split(separator: ";").map { String($0).trimmingWhitespace() }
        guard parts.first?.lowercased() == "multipart/form-data",
            let boundaryPart = parts.dropFirst().first(where: { $0.lowercased().hasPrefix("boundary=") })
        else { throw ParleyError.malformedBody("Content-Type must be multipart/form-data with a boundary") }
        var boundary = String(boundaryPart.dropFirst("boundary=".count))
        if boundary.hasPrefix("\"") && boundary.hasSuffix("\"") && boundary.count >= 2 { boundary = String(boundary.dropFirst().dropLast()) }
        guard !boundary.isEmpty, boundary.utf8.count <= 200 else { throw ParleyError.malformedBody("The multipart boundary is not valid") }
        return boundary
    }

    /// Parses the whole body; throws 413 `FILE_TOO_LARGE` as soon as the file passes its limit, or the
    /// body passes the file limit plus ``bodyAllowance`` (parts without a name and the epilogue are
    /// otherwise skipped, so they must be counted here).
    func read(_ request: Request) async throws {
        var parser = MultipartStreamParser(boundary: try Self.boundary(of: request))
        let maximumBodyBytes = fileLimit + Self.bodyAllowance
        var received = 0
        for try await chunk in request.body {
            received += chunk.readableBytes
            guard received <= maximumBodyBytes else { throw Self.tooLarge(fileLimit: fileLimit) }
            try parser.feed(Array(chunk.readableBytesView)) { event in
                switch event {
                case .headers(let headers):
                    for (name, value) in headers { header(name, value) }
                case .body(let bytes):
                    body(bytes)
                case .partEnd:
                    partComplete()
                }
                if let failure { throw failure }
            }
        }
        guard parser.finished else { throw MultipartStreamParser.malformed }
    }

    private func header(_ name: String, _ value: String) {
        switch name.lowercased() {
        case "content-disposition":
            for piece in value.split(separator: ";").map({ String($0).trimmingWhitespace() }) {
                if let name = Self.parameter(piece, "name") { currentName = name }
                if let filename = Self.parameter(piece, "filename") { currentFilename = filename }
                if piece.lowercased().hasPrefix("filename*="), let encoded = piece.split(separator: "'", maxSplits: 2).last {
                    currentFilename = String(encoded).removingPercentEncoding ?? currentFilename
                }
            }
        case "content-type":
            currentType = value
        default:
            break
        }
        currentIsFile = currentName == "file" && !sawFile
    }

    private func body(_ bytes: [UInt8]) {
        guard failure == nil else { return }
        if currentIsFile {
            do {
                try sink.append(bytes)
            } catch {
                failure = error
            }
        } else if currentName != nil {
            fieldBuffer += bytes
            if fieldBuffer.count > Self.fieldLimit {
                failure = ParleyError(.resourceLimitExceeded, status: 413, "Form fields other than file are limited to \(Self.fieldLimit) bytes")
            }
        }
    }

    private func partComplete() {
        if currentIsFile {
            sawFile = true
            filename = currentFilename
            claimedType = currentType
        } else if let name = currentName, fields[name] == nil {
            fields[name] = String(decoding: fieldBuffer, as: UTF8.self).trimmingWhitespace()
        }
        currentName = nil
        currentFilename = nil
        currentType = nil
        currentIsFile = false
        fieldBuffer = []
    }

    private static func parameter(_ piece: String, _ name: String) -> String? {
        let prefix = name + "="
        guard piece.lowercased().hasPrefix(prefix) else { return nil }
        var value = String(piece.dropFirst(prefix.count))
        if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
        return value
    }
}
