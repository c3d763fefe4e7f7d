import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix
import ParleyCore

/// Uploads, downloads and avatars (API.md §9).
struct FileRoutes {
    let files: FileService
    let users: UserService
    let quota: any RateLimitStore
    let uploadsPerHour: Int

    struct FilePayload: Encodable { let file: FileView }

    func register(on routes: Routes) {
        routes.on(.post, "/upload/file") { request, context in
            let (identity, sink, upload) = try await receive(request, context, maximumBytes: FileService.maximumFileBytes)
            let roomID: RoomID
            do {
                roomID = try Self.uploadRoomID(upload.fields["chatroom_id"])
            } catch {
                sink.discard()
                throw error
            }
            let view = try await files.finishUpload(
                sink, roomID: roomID, filename: upload.filename, claimedType: upload.claimedType, by: identity)
            return try .envelope(FilePayload(file: view), status: .created, message: "File uploaded")
        }
        routes.on(.post, "/users/me/avatar") { request, context in
            let (identity, sink, upload) = try await receive(request, context, maximumBytes: FileService.maximumAvatarBytes)
            _ = try await files.finishAvatar(sink, filename: upload.filename, claimedType: upload.claimedType, by: identity)
            return try .envelope(ProfileView(try await users.profile(of: identity)), message: "Avatar updated")
        }
        routes.on(.get, "/files/{file_id}") { request, context in
            let identity = try context.requireIdentity()
            let opened = try await files.openAttachment(try IncomingIDs.file(context.path("file_id")), for: identity)
            return try Self.serve(opened, request: request, disposition: "attachment", cache: "private, max-age=3600")
        }
        routes.on(.get, "/avatars/{file_id}") { request, context in
            let opened = try await files.openAvatar(try IncomingIDs.file(context.path("file_id")))
            // Avatar ids change on every replacement, so a cached copy is never stale.
            return try Self.serve(opened, request: request, disposition: "inline", cache: "public, max-age=31536000, immutable")
        }
    }

    /// Authenticates, counts the upload against the quota and streams the multipart body into an encrypting
    /// sink; on any failure the partial blob is discarded.
    private func receive(
        _ request: Request, _ context: ParleyRequestContext, maximumBytes: Int
    ) async throws -> (Identity, UploadSink, MultipartUpload) {
        let identity = try context.requireIdentity()
        try await checkQuota(identity, context)
        try Self.checkDeclaredLength(request, limit: maximumBytes)
        let sink = try files.makeSink(maximumBytes: maximumBytes)
        let upload = MultipartUpload(sink: sink)
        do {
            try await upload.read(request)
            guard upload.sawFile else { throw ParleyError.validation(.validationRequiredField, field: "file", "file is required") }
        } catch {
            sink.discard()
            throw error
        }
        return (identity, sink, upload)
    }

    /// The upload form's `chatroom_id` field: required, then parsed (surrounding blanks allowed, as in any
    /// form field).
    private static func uploadRoomID(_ field: String?) throws(ParleyError) -> RoomID {
        guard let field, !field.isEmpty else {
            throw ParleyError.validation(.validationRequiredField, field: "chatroom_id", "chatroom_id is required")
        }
        return try IncomingIDs.room(field.trimmingWhitespace())
    }

    /// 10 uploads per hour per user by default (file and avatar together).
    private func checkQuota(_ identity: Identity, _ context: ParleyRequestContext) async throws {
        let decision = await quota.hit(key: "upload:" + identity.userID, limit: uploadsPerHour, windowSeconds: 3600, now: .now())
        guard decision.allowed else {
            context.state.rateLimit = decision
            throw ParleyError(.rateLimitExceeded, status: 429, "Upload limit reached: \(uploadsPerHour) per hour",
                              details: ["limit": .int(uploadsPerHour), "retry_after": .int(Int(decision.retryAfter)), "scope": "uploads"])
        }
    }

    /// Refuses at once a body that announces more than the limit can hold.
    private static func checkDeclaredLength(_ request: Request, limit: Int) throws {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit + MultipartUpload.bodyAllowance {
            throw MultipartUpload.tooLarge(fileLimit: limit)
        }
    }

    /// What a browser may do with served bytes: nothing. An upload that is also valid HTML or SVG (a
    /// polyglot image served inline as an avatar) then runs no script, loads nothing and gets a unique origin,
    /// even when opened directly.
    static let servedContentPolicy = "default-src 'none'; sandbox"

    /// A streamed response for the file, honouring a single `Range`.
    static func serve(_ opened: OpenedFile, request: Request, disposition: String, cache: String) throws -> Response {
        let file = opened.file
        var headers: HTTPFields = [
            .contentType: file.fileType,
            .contentDisposition: contentDisposition(disposition, filename: file.filename),
            .contentSecurityPolicy: servedContentPolicy,
            .xContentTypeOptions: "nosniff",
            .acceptRanges: "bytes",
            .cacheControl: cache,
        ]
        var range = 0..<file.fileSize
        var status = HTTPResponse.Status.ok
        if let header = request.headers[.range] {
            guard let requested = ByteRange.parse(header, size: file.fileSize) else {
                opened.reader.close()
                var response = Response.error(ParleyError(.validationInvalidValue, status: 416, "The requested range is not satisfiable",
                                                          details: ["size": .int(file.fileSize)]))
                response.headers[.contentRange] = "bytes */\(file.fileSize)"
                return response
            }
            range = requested
            status = .partialContent
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(file.fileSize)"
        }
        headers[.contentLength] = String(range.count)
        let reader = UncheckedReader(reader: opened.reader)
        let served = range
        let body = ResponseBody(contentLength: served.count) { writer in
            defer { reader.reader.close() }
            var position = served.lowerBound
            // One 64 KiB chunk at a time, read and decrypted off the event loops.
            while position < served.upperBound {
                let start = position
                let end = min(served.upperBound, (position / BlobCipher.chunkSize + 1) * BlobCipher.chunkSize)
                let piece = try await NIOThreadPool.singleton.runIfActive { () throws -> [UInt8] in
                    var bytes: [UInt8] = []
                    try reader.reader.read(start..<end) { bytes += $0 }
                    return bytes
                }
                try await writer.write(ByteBuffer(bytes: piece))
                position = end
            }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    static func contentDisposition(_ kind: String, filename: String) -> String {
        let ascii = String(filename.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let encoded = filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ".-_~"))) ?? ascii
        return "\(kind); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}

/// Moves a reader into the streaming closure; only that closure uses it.
private struct UncheckedReader: @unchecked Sendable {
    let reader: BlobReader
}

/// A single `bytes=` range, resolved against the file size.
enum ByteRange {
    static func parse(_ header: String, size: Int) -> Range<Int>? {
        let trimmed = header.trimmingWhitespace()
        guard trimmed.lowercased().hasPrefix("bytes="), size > 0 else { return nil }
        let spec = trimmed.dropFirst("bytes=".count)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let startText = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let endText = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if startText.isEmpty {
            guard let suffix = Int(endText), suffix > 0 else { return nil }
            return max(0, size - suffix)..<size
        }
        guard let start = Int(startText), start >= 0, start < size else { return nil }
        if endText.isEmpty { return start..<size }
        guard let end = Int(endText), end >= start else { return nil }
        return start..<(min(end, size - 1) + 1)
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
}
