/// Every error code the API can return: the seed's list plus Parley's additions (see docs/API.md).
public enum ErrorCode: String, Sendable, CaseIterable, Codable {
    // Authentication
    case authInvalidCredentials = "AUTH_INVALID_CREDENTIALS"
    case authTokenExpired = "AUTH_TOKEN_EXPIRED"
    case authTokenInvalid = "AUTH_TOKEN_INVALID"
    case authRefreshTokenInvalid = "AUTH_REFRESH_TOKEN_INVALID"
    case authUserNotFound = "AUTH_USER_NOT_FOUND"
    case authUserInactive = "AUTH_USER_INACTIVE"
    // Validation
    case validationRequiredField = "VALIDATION_REQUIRED_FIELD"
    case validationInvalidFormat = "VALIDATION_INVALID_FORMAT"
    case validationLengthExceeded = "VALIDATION_LENGTH_EXCEEDED"
    case validationInvalidValue = "VALIDATION_INVALID_VALUE"
    // Resources
    case resourceNotFound = "RESOURCE_NOT_FOUND"
    case resourceAccessDenied = "RESOURCE_ACCESS_DENIED"
    case resourceAlreadyExists = "RESOURCE_ALREADY_EXISTS"
    case resourceLimitExceeded = "RESOURCE_LIMIT_EXCEEDED"
    // Chatrooms
    case chatroomNotFound = "CHATROOM_NOT_FOUND"
    case chatroomAccessDenied = "CHATROOM_ACCESS_DENIED"
    case chatroomFull = "CHATROOM_FULL"
    case chatroomInviteInvalid = "CHATROOM_INVITE_INVALID"
    case chatroomOwnerRequired = "CHATROOM_OWNER_REQUIRED"
    // Messages
    case messageNotFound = "MESSAGE_NOT_FOUND"
    case messageEditDenied = "MESSAGE_EDIT_DENIED"
    case messageDeleteDenied = "MESSAGE_DELETE_DENIED"
    case messageTooLong = "MESSAGE_TOO_LONG"
    case messageEncryptionFailed = "MESSAGE_ENCRYPTION_FAILED"
    // Files
    case fileTooLarge = "FILE_TOO_LARGE"
    case fileTypeNotAllowed = "FILE_TYPE_NOT_ALLOWED"
    case fileUploadFailed = "FILE_UPLOAD_FAILED"
    case fileNotFound = "FILE_NOT_FOUND"
    // Rate limiting
    case rateLimitExceeded = "RATE_LIMIT_EXCEEDED"
    case connectionLimitExceeded = "CONNECTION_LIMIT_EXCEEDED"
    // Additions
    case searchUnavailableEncrypted = "SEARCH_UNAVAILABLE_ENCRYPTED"
    case summaryUnavailableEncrypted = "SUMMARY_UNAVAILABLE_ENCRYPTED"
    case methodNotAllowed = "METHOD_NOT_ALLOWED"
    case serviceUnavailable = "SERVICE_UNAVAILABLE"
    case internalError = "INTERNAL_ERROR"
}
