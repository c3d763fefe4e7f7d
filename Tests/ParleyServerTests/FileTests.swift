import Foundation
import NIOCore
import ParleyCore
import ParleyTestSupport
import Testing

@testable import ParleyServer

@Suite("Files and avatars (API.md §9)")
struct FileTests {
    @Test("every accepted type is recognised by its bytes and round-trips byte for byte", arguments: TestEngine.available)
    func acceptedTypes(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: false)
            let cases: [(String, [UInt8], String)] = [
                ("photo.jpg", Samples.jpeg, "image/jpeg"), ("image.png", Samples.png, "image/png"), ("anim.gif", Samples.gif, "image/gif"),
                ("pic.webp", Samples.webp, "image/webp"), ("doc.pdf", Samples.pdf, "application/pdf"), ("notes.txt", Samples.text, "text/plain"),
                ("song.mp3", Samples.mp3, "audio/mpeg"), ("clip.mp4", Samples.mp4, "video/mp4"), ("clip.webm", Samples.webm, "video/webm"),
                ("sound.ogg", Samples.ogg, "audio/ogg"), ("bundle.zip", Samples.zip, "application/zip"), ("no-extension", Samples.png, "image/png"),
            ]
            for (name, bytes, type) in cases {
                let response = try await server.upload(bytes, filename: name, to: room, by: alice)
                #expect(response.status == 201, "\(name): \(response.text)")
                let file = response.data["file"]
                #expect(file["file_type"].stringValue == type, "\(name)")
                #expect(file["file_size"].intValue == bytes.count)
                #expect(file["filename"].stringValue == name)
                #expect(file["thumbnail_url"].isNull)
                let id = try #require(file["id"].stringValue)
                #expect(file["encrypted_url"].stringValue == "/files/\(id)")
                let download = try await server.request(.GET, "/files/\(id)", token: alice.accessToken)
                #expect(download.status == 200)
                #expect(download.bytes == bytes, "\(name)")
                #expect(download.header("Content-Type") == type)
                #expect(download.header("Content-Length") == String(bytes.count))
                #expect(download.header("X-Content-Type-Options") == "nosniff")
                #expect(download.header("Content-Disposition")?.hasPrefix("attachment; filename=\"\(name)\"") == true)
            }
        }
    }

    @Test("bytes that contradict the name or the declared type, or an unknown type, are refused", arguments: TestEngine.available)
    func disguisedFiles(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: false)
            let cases: [(String, [UInt8], String?)] = [
                ("photo.jpg", Samples.png, nil), ("installer.png", Samples.executable, nil), ("setup.exe", Samples.executable, nil),
                ("image.png", Samples.png, "image/gif"), ("notes.txt", Samples.random(4000), nil), ("report.pdf", Samples.text, nil),
                ("archive.docx", Samples.zip, nil),
            ]
            for (name, bytes, type) in cases {
                let response = try await server.upload(bytes, filename: name, type: type, to: room, by: alice)
                #expect(response.status == 422, "\(name)")
                #expect(response.errorCode == "FILE_TYPE_NOT_ALLOWED", "\(name): \(response.text)")
            }
            let leftovers = try await server.rowCounts(room: room)
            #expect(leftovers["files"] == 0)
            let tmp = server.database.directory + "/data/files/tmp"
            #expect((try FileManager.default.contentsOfDirectory(atPath: tmp)).isEmpty)
        }
    }

    @Test("end-to-end rooms take any bytes as application/octet-stream")
    func endToEndFiles() async throws {
        try await TestServer.with { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: true)
            let ciphertext = Samples.random(200_000)
            let response = try await server.upload(ciphertext, filename: "secret.bin", to: room, by: alice)
            #expect(response.status == 201)
            #expect(response.data["file"]["file_type"].stringValue == "application/octet-stream")
            let download = try await server.request(.GET, "/files/\(response.data["file"]["id"].stringValue!)", token: alice.accessToken)
            #expect(download.bytes == ciphertext)
            #expect(download.header("Content-Type") == "application/octet-stream")
        }
    }

    @Test("the size limit: exactly 10 MB passes, one byte more is 413 in the envelope")
    func sizeLimit() async throws {
        try await TestServer.with { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: true)
            let limit = FileService.maximumFileBytes
            let exact = try await server.upload([UInt8](repeating: 7, count: limit), filename: "big.bin", to: room, by: alice)
            #expect(exact.status == 201)
            #expect(exact.data["file"]["file_size"].intValue == limit)
            let over = try await server.upload([UInt8](repeating: 7, count: limit + 1), filename: "big.bin", to: room, by: alice)
            #expect(over.status == 413)
            #expect(over.errorCode == "FILE_TOO_LARGE")
            #expect(over.json["success"].boolValue == false)
            // A body announced as too large is refused before any of it is read, and the connection closes.
            let raw = try await RawConnection.open(port: server.port)
            let answer = try await raw.exchange(
                "POST /upload/file HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(alice.accessToken)\r\n"
                    + "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 50000000\r\n\r\n--x\r\n")
            #expect(answer.hasPrefix("HTTP/1.1 413"))
            #expect(answer.contains("FILE_TOO_LARGE"))
        }
    }

    @Test("a chunked body is cut off past the file limit plus a small allowance, whatever part the bytes are in")
    func bodyCap() async throws {
        try await TestServer.with { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: false)
            // A valid file, then a part without a name (which the parser skips) of 64 MiB, with no
            // Content-Length: only the server's own count of the body can stop it.
            var head = MultipartBody()
            head.field("chatroom_id", room)
            head.file(filename: "a.png", contents: Samples.png)
            let opening = head.bytes + Array("--\(head.boundary)\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
            let body = PulledBody(head: opening, fillerChunks: 1024, tail: Array("\r\n--\(head.boundary)--\r\n".utf8))
            // The server answers 413 and closes the connection while the client is still sending, so the
            // client may see the close before it reads the answer; either way, no 201.
            do {
                let response = try await server.request(
                    .POST, "/upload/file", stream: body.stream, token: alice.accessToken, headers: [("Content-Type", head.contentType)])
                #expect(response.status == 413)
                #expect(response.errorCode == "FILE_TOO_LARGE")
                #expect(response.json["error"]["details"]["limit_bytes"].intValue == FileService.maximumFileBytes)
            } catch let error as ChannelError {
                #expect(error == .ioOnClosedChannel || error == .eof)
            }
            #expect(try await server.rowCounts(room: room)["files"] == 0)
        }
    }

    @Test("downloads and avatars are served with a sandboxing Content-Security-Policy and nosniff", arguments: TestEngine.available)
    func servedContentHeaders(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let room = try await server.createRoom(alice, encrypted: false)
            let fileID = try #require(try await server.upload(Samples.text, filename: "notes.txt", to: room, by: alice).data["file"]["id"].stringValue)
            let avatar = try #require(try await server.uploadAvatar(Samples.gif, filename: "me.gif", by: alice).data["avatar_url"].stringValue)
            let avatarPath = try #require(URL(string: avatar)?.path)
            let download = try await server.request(.GET, "/files/\(fileID)", token: alice.accessToken)
            let ranged = try await server.request(.GET, "/files/\(fileID)", token: alice.accessToken, headers: [("Range", "bytes=0-3")])
            let image = try await server.request(.GET, avatarPath)
            for (response, what) in [(download, "download"), (ranged, "range"), (image, "avatar")] {
                #expect(response.status == 200 || response.status == 206, "\(what)")
                #expect(response.header("Content-Security-Policy") == "default-src 'none'; sandbox", "\(what)")
                #expect(response.header("X-Content-Type-Options") == "nosniff", "\(what)")
            }
        }
    }

    @Test("downloads: members only, a bearer token required; Range requests", arguments: TestEngine.available)
    func downloads(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let outsider = try await server.register("outsider")
            let room = try await server.createRoom(alice, encrypted: false)
            let bytes = Array(String(repeating: "0123456789abcdef", count: 10_000).utf8)
            let uploaded = try await server.upload(bytes, filename: "../../etc/pass\u{7}wd.txt", to: room, by: alice)
            #expect(uploaded.data["file"]["filename"].stringValue == "passwd.txt")
            let id = try #require(uploaded.data["file"]["id"].stringValue)

            let denied = try await server.request(.GET, "/files/\(id)", token: outsider.accessToken)
            #expect(denied.status == 403 && denied.errorCode == "CHATROOM_ACCESS_DENIED")
            let anonymous = try await server.request(.GET, "/files/\(id)")
            #expect(anonymous.status == 401)
            let missing = try await server.request(.GET, "/files/\(Identifiers.uuidV7())", token: alice.accessToken)
            #expect(missing.status == 404 && missing.errorCode == "FILE_NOT_FOUND")

            let head = try await server.request(.GET, "/files/\(id)", token: alice.accessToken, headers: [("Range", "bytes=0-9")])
            #expect(head.status == 206 && head.bytes == Array(bytes[0..<10]))
            #expect(head.header("Content-Range") == "bytes 0-9/\(bytes.count)")
            let crossing = try await server.request(.GET, "/files/\(id)", token: alice.accessToken, headers: [("Range", "bytes=65530-65545")])
            #expect(crossing.bytes == Array(bytes[65530...65545]))
            let suffix = try await server.request(.GET, "/files/\(id)", token: alice.accessToken, headers: [("Range", "bytes=-7")])
            #expect(suffix.bytes == Array(bytes.suffix(7)))
            let open = try await server.request(.GET, "/files/\(id)", token: alice.accessToken, headers: [("Range", "bytes=150000-")])
            #expect(open.bytes == Array(bytes[150000...]))
            let bad = try await server.request(.GET, "/files/\(id)", token: alice.accessToken, headers: [("Range", "bytes=999999-")])
            #expect(bad.status == 416)
            #expect(bad.header("Content-Range") == "bytes */\(bytes.count)")

            // Stored bytes are encrypted: no 16-byte run of the plaintext appears on disk.
            let blobs = server.database.directory + "/data/files"
            let enumerator = FileManager.default.enumerator(atPath: blobs)
            var checked = 0
            while let path = enumerator?.nextObject() as? String {
                guard let data = FileManager.default.contents(atPath: blobs + "/" + path), !data.isEmpty else { continue }
                #expect(data.range(of: Data("0123456789abcdef".utf8)) == nil)
                checked += 1
            }
            #expect(checked == 1)
        }
    }

    @Test("uploads: members only, chatroom_id and file required, an hourly quota")
    func uploadRules() async throws {
        // Three attempts by alice below, then the fourth is over the quota (the outsider's attempt is theirs).
        try await TestServer.with(configure: { $0.uploadsPerHour = 3 }) { server in
            let alice = try await server.register("alice")
            let outsider = try await server.register("outsider")
            let room = try await server.createRoom(alice, encrypted: false)
            let foreign = try await server.upload(Samples.png, filename: "a.png", to: room, by: outsider)
            #expect(foreign.status == 403 && foreign.errorCode == "CHATROOM_ACCESS_DENIED")
            let noRoom = try await server.upload(Samples.png, filename: "a.png", to: nil, by: alice)
            #expect(noRoom.status == 422 && noRoom.json["error"]["details"]["field"].stringValue == "chatroom_id")
            var body = MultipartBody()
            body.field("chatroom_id", room)
            let noFile = try await server.request(.POST, "/upload/file", body: body.finished(), token: alice.accessToken, headers: [("Content-Type", body.contentType)])
            #expect(noFile.status == 422 && noFile.json["error"]["details"]["field"].stringValue == "file")
            let notMultipart = try await server.request(.POST, "/upload/file", json: ["file": "x"], token: alice.accessToken)
            #expect(notMultipart.status == 400 && notMultipart.errorCode == "VALIDATION_INVALID_FORMAT")
            let quota = try await server.upload(Samples.png, filename: "a.png", to: room, by: alice)
            #expect(quota.status == 429 && quota.errorCode == "RATE_LIMIT_EXCEEDED")
            #expect(quota.header("Retry-After") != nil)
        }
    }

    @Test("attachments: a message carries its room's uploads; deleting the message or the room removes the files", arguments: TestEngine.available)
    func attachments(engine: TestEngine) async throws {
        try await TestServer.with(engine) { server in
            let alice = try await server.register("alice")
            let bob = try await server.register("bob")
            let room = try await server.createRoom(alice, encrypted: false)
            let other = try await server.createRoom(alice, encrypted: false)
            try await server.addMember(bob, to: room, by: alice)
            let fileID = try #require(try await server.upload(Samples.pdf, filename: "spec.pdf", to: room, by: alice).data["file"]["id"].stringValue)
            let elsewhere = try #require(try await server.upload(Samples.png, filename: "x.png", to: other, by: alice).data["file"]["id"].stringValue)
            let bobs = try #require(try await server.upload(Samples.png, filename: "y.png", to: room, by: bob).data["file"]["id"].stringValue)

            let listener = try await TestSocket.connect(server, token: bob.accessToken)
            try await listener.join(room)
            let sent = try await server.request(.POST, "/chatrooms/\(room)/messages", json: [
                "content": ["text": ""], "message_type": "file", "attachments": [.string(fileID)],
            ], token: alice.accessToken)
            #expect(sent.status == 201)
            let attachment = sent.data["message"]["attachments"][0]
            #expect(attachment["id"].stringValue == fileID && attachment["filename"].stringValue == "spec.pdf")
            #expect(attachment["file_type"].stringValue == "application/pdf" && attachment["encrypted_url"].stringValue == "/files/\(fileID)")
            #expect(try await listener.next("message_received")["data"]["message"]["attachments"][0]["id"].stringValue == fileID)

            for (ids, reason) in [([elsewhere], "other room"), ([bobs], "someone else's"), ([fileID], "already attached"), ([Identifiers.uuidV7()], "unknown")] {
                let refused = try await server.request(.POST, "/chatrooms/\(room)/messages", json: [
                    "content": ["text": "x"], "attachments": .array(ids.map { .string($0) }),
                ], token: alice.accessToken)
                #expect(refused.status == 422, "\(reason)")
                #expect(refused.json["error"]["details"]["field"].stringValue == "attachments")
            }
            let history = try await server.request(.GET, "/chatrooms/\(room)/messages", token: bob.accessToken)
            #expect(history.data["messages"][0]["attachments"][0]["id"].stringValue == fileID)

            let messageID = try #require(sent.data["message"]["id"].stringValue)
            #expect(try await server.request(.DELETE, "/chatrooms/\(room)/messages/\(messageID)", token: alice.accessToken).status == 200)
            #expect(try await server.request(.GET, "/files/\(fileID)", token: alice.accessToken).status == 404)
            #expect(try await server.request(.GET, "/files/\(bobs)", token: bob.accessToken).status == 200)
            #expect(try await server.request(.DELETE, "/chatrooms/\(room)", token: alice.accessToken).status == 200)
            #expect(try await server.request(.GET, "/files/\(bobs)", token: bob.accessToken).status == 404)
            // Only the other room's file is left on disk.
            let blobs = server.database.directory + "/data/files"
            let stored = (FileManager.default.enumerator(atPath: blobs)?.allObjects as? [String] ?? []).filter {
                !$0.hasPrefix("tmp") && $0.split(separator: "/").last?.count == 32
            }
            #expect(stored.count == 1)
            await listener.close()
        }
    }

    @Test("avatars: images only by bytes, public URL, replacing removes the old file", arguments: TestEngine.available)
    func avatars(engine: TestEngine) async throws {
        try await TestServer.with(engine, configure: { $0.publicURL = "https://chat.example.com" }) { server in
            let alice = try await server.register("alice")
            let first = try await server.uploadAvatar(Samples.png, filename: "me.png", by: alice)
            #expect(first.status == 200)
            let url = try #require(first.data["avatar_url"].stringValue)
            #expect(url.hasPrefix("https://chat.example.com/avatars/"))
            let path = String(url.dropFirst("https://chat.example.com".count))
            let image = try await server.request(.GET, path)
            #expect(image.status == 200 && image.bytes == Samples.png)
            #expect(image.header("Content-Type") == "image/png")
            #expect(image.header("X-Content-Type-Options") == "nosniff")

            let second = try await server.uploadAvatar(Samples.gif, filename: "me.gif", by: alice)
            let newPath = String(try #require(second.data["avatar_url"].stringValue).dropFirst("https://chat.example.com".count))
            #expect(newPath != path)
            #expect(try await server.request(.GET, path).status == 404)
            #expect(try await server.request(.GET, newPath).bytes == Samples.gif)
            #expect(try await server.request(.GET, "/users/me", token: alice.accessToken).data["avatar_url"].stringValue?.hasSuffix(newPath) == true)

            for (bytes, name) in [(Samples.pdf, "me.pdf"), (Samples.webp, "me.webp"), (Samples.text, "me.txt"), (Samples.png, "me.jpg")] {
                let refused = try await server.uploadAvatar(bytes, filename: name, by: alice)
                #expect(refused.status == 422 && refused.errorCode == "FILE_TYPE_NOT_ALLOWED", "\(name)")
            }
            let big = try await server.uploadAvatar(Samples.padded([0xFF, 0xD8, 0xFF], to: FileService.maximumAvatarBytes + 1), filename: "big.jpg", by: alice)
            #expect(big.status == 413 && big.errorCode == "FILE_TOO_LARGE")
            // Setting an external URL removes the uploaded avatar.
            _ = try await server.request(.PUT, "/users/me", json: ["avatar_url": "https://cdn.example.com/me.png"], token: alice.accessToken)
            #expect(try await server.request(.GET, newPath).status == 404)
            #expect(try await server.request(.POST, "/users/me/avatar").status == 401)
        }
    }
}
