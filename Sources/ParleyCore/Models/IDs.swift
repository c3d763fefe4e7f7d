/// An identifier of one kind of resource: a UUID held as its canonical lower-case hyphenated text.
///
/// Ids are parsed once, where a request or frame enters (`init?(parsing:)`); everything inward takes the
/// typed value and never normalises it again. The phantom `Kind` keeps a room id from being passed where a
/// user id is expected. Ids read back from Parley's own database are canonical already (`init(trusted:)`).
public struct ParleyID<Kind>: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The canonical text: what is stored, bound in SQL and written on the wire.
    public let rawValue: String

    /// An id Parley wrote itself (its database, its own generator): taken as it is, without a check.
    public init(trusted rawValue: String) {
        self.rawValue = rawValue
    }

    /// Parses a UUID given in any case; nil when `text` is not a UUID (the caller answers the resource's 404).
    public init?(parsing text: String) {
        guard let canonical = Identifiers.canonicalUUID(text) else { return nil }
        self.rawValue = canonical
    }

    public var description: String { rawValue }

    public static func < (lhs: ParleyID, rhs: ParleyID) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension ParleyID: Encodable {
    /// Encodes as the plain string, so the wire format is the same as when ids were strings.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension ParleyID {
    /// A new random (version 4) id: users, rooms, sessions, invitations.
    public static func random() -> ParleyID { ParleyID(trusted: Identifiers.uuid()) }

    /// A new time-sortable (version 7) id: messages, files, summaries.
    public static func timeOrdered(at time: Timestamp = .now()) -> ParleyID { ParleyID(trusted: Identifiers.uuidV7(at: time)) }
}

/// Marker kinds for `ParleyID`; never instantiated.
public enum IDKind {
    public enum Room {}
    public enum User {}
    public enum Message {}
    public enum File {}
    public enum Session {}
    public enum Summary {}
    public enum Invitation {}
}

/// A chatroom's id.
public typealias RoomID = ParleyID<IDKind.Room>
/// A user's id.
public typealias UserID = ParleyID<IDKind.User>
/// A message's id.
public typealias MessageID = ParleyID<IDKind.Message>
/// An uploaded file's id (attachments and avatars).
public typealias FileID = ParleyID<IDKind.File>
/// A login session's id (the `sid` claim).
public typealias SessionID = ParleyID<IDKind.Session>
/// A room summary's id.
public typealias SummaryID = ParleyID<IDKind.Summary>
/// An invitation's id (not its code).
public typealias InvitationID = ParleyID<IDKind.Invitation>
