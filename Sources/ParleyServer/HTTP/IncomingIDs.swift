import ParleyCore

/// Parses the ids a request or frame carries (path segments, body fields, frame fields), once, where they
/// enter; services take the typed values. An id that does not parse names nothing, so it is answered with
/// the resource's 404, as an unknown id is.
enum IncomingIDs {
    static func room(_ text: String) throws(ParleyError) -> RoomID {
        guard let id = RoomID(parsing: text) else { throw ParleyError.notFound(.chatroomNotFound, "Chatroom not found") }
        return id
    }

    static func message(_ text: String) throws(ParleyError) -> MessageID {
        guard let id = MessageID(parsing: text) else { throw ParleyError.notFound(.messageNotFound, "Message not found") }
        return id
    }

    static func file(_ text: String) throws(ParleyError) -> FileID {
        guard let id = FileID(parsing: text) else { throw ParleyError.notFound(.fileNotFound, "File not found") }
        return id
    }

    /// A member named in a room's path (removal, role change).
    static func member(_ text: String) throws(ParleyError) -> UserID {
        guard let id = UserID(parsing: text) else {
            throw ParleyError.notFound(.resourceNotFound, "That user is not a member of this chatroom")
        }
        return id
    }

    static func session(_ text: String) throws(ParleyError) -> SessionID {
        guard let id = SessionID(parsing: text) else { throw ParleyError.notFound(.resourceNotFound, "Session not found") }
        return id
    }
}
