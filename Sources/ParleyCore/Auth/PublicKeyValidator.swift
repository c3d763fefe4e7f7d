import CryptoExtras

/// Checks that a user's `public_key` is an RSA public key in PEM form (SPKI `PUBLIC KEY` or PKCS#1
/// `RSA PUBLIC KEY`) of at least 2048 bits.
public enum PublicKeyValidator {
    public static let maximumLength = 16_384

    public static func isValidRSAPublicKey(_ pem: String) -> Bool {
        guard pem.utf8.count <= maximumLength, pem.contains("-----BEGIN") else { return false }
        return (try? _RSA.Signing.PublicKey(pemRepresentation: pem)) != nil
    }
}
