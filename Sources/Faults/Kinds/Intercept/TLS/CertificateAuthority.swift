internal import COpenSSL
import Foundation
import Synchronization

/// A campaign's CA, read from its PEM files, and the certificates it signs for the names clients
/// ask the intercepting proxy for: one key for every certificate of the proxy (P-256, made at
/// start), one certificate per name, made on first use and kept for the proxy's lifetime.
final class CertificateAuthority: @unchecked Sendable {
    private let certificate: OpaquePointer
    private let key: OpaquePointer
    /// The key of every certificate this authority signs here.
    let leafKey: OpaquePointer
    private let issued = Mutex<[String: IssuedCertificate]>([:])

    /// A certificate this authority signed (freed with it).
    final class IssuedCertificate: @unchecked Sendable {
        let pointer: OpaquePointer
        init(_ pointer: OpaquePointer) { self.pointer = pointer }
        deinit { X509_free(pointer) }
    }

    /// Reads the CA; refuses a certificate that is not a CA's, or a key that is not its own.
    init(certificateFile: String, keyFile: String) throws(TLSSetupError) {
        guard let certificate = Self.read(certificateFile, PEM_read_bio_X509) else {
            throw TLSSetupError("tls-ca \(certificateFile): no PEM certificate could be read from it")
        }
        guard let key = Self.read(keyFile, PEM_read_bio_PrivateKey) else {
            X509_free(certificate)
            throw TLSSetupError("tls-ca-key \(keyFile): no unencrypted PEM private key could be read from it")
        }
        guard X509_check_ca(certificate) > 0 else {
            X509_free(certificate); EVP_PKEY_free(key)
            throw TLSSetupError("tls-ca \(certificateFile): not a CA certificate (it has no basicConstraints CA:TRUE), so clients would not accept what it signs")
        }
        guard X509_check_private_key(certificate, key) == 1 else {
            X509_free(certificate); EVP_PKEY_free(key)
            throw TLSSetupError("tls-ca-key \(keyFile) is not the private key of tls-ca \(certificateFile)")
        }
        guard let leafKey = fl_ec_p256_key() else {
            X509_free(certificate); EVP_PKEY_free(key)
            throw TLSSetupError("could not make a P-256 key for the proxy's certificates")
        }
        self.certificate = certificate
        self.key = key
        self.leafKey = leafKey
    }

    deinit {
        X509_free(certificate)
        EVP_PKEY_free(key)
        EVP_PKEY_free(leafKey)
    }

    /// The certificate for `name` (a host name, or an IPv4 address when the client sent no SNI).
    func certificate(for name: String) throws(TLSSetupError) -> IssuedCertificate {
        if let known = issued.withLock({ $0[name] }) { return known }
        let made = IssuedCertificate(try sign(name))
        return issued.withLock { issued in
            if let raced = issued[name] { return raced }
            issued[name] = made
            return made
        }
    }

    /// How long a signed certificate is valid: from an hour ago (clocks disagree) for 7 days, far
    /// beyond any fault's window.
    static let validity: (before: Int, after: Int) = (-3600, 7 * 86_400)

    private func sign(_ name: String) throws(TLSSetupError) -> OpaquePointer {
        guard let leaf = X509_new() else { throw TLSSetupError("X509_new failed") }
        var serial = [UInt8](repeating: 0, count: 16)
        RAND_bytes(&serial, Int32(serial.count))
        serial[0] &= 0x7F
        let serialNumber = BN_bin2bn(serial, Int32(serial.count), nil)
        defer { BN_free(serialNumber) }
        let subject = X509_NAME_new()
        defer { X509_NAME_free(subject) }
        let isAddress = name.utf8.allSatisfy { $0 == 46 || ($0 >= 48 && $0 <= 57) } && inet_addr(name) != INADDR_NONE
        let extensions: [(Int32, String)] = [
            (NID_basic_constraints, "critical,CA:FALSE"),
            (NID_key_usage, "critical,digitalSignature,keyEncipherment"),
            (NID_ext_key_usage, "serverAuth"),
            (NID_subject_key_identifier, "hash"),
            (NID_authority_key_identifier, "keyid,issuer"),
            (NID_subject_alt_name, (isAddress ? "IP:" : "DNS:") + name),
        ]
        var made = X509_set_version(leaf, 2) == 1
            && BN_to_ASN1_INTEGER(serialNumber, X509_get_serialNumber(leaf)) != nil
            && X509_gmtime_adj(X509_getm_notBefore(leaf), Self.validity.before) != nil
            && X509_gmtime_adj(X509_getm_notAfter(leaf), Self.validity.after) != nil
            && X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, name, -1, -1, 0) == 1
            && X509_set_subject_name(leaf, subject) == 1
            && X509_set_issuer_name(leaf, X509_get_subject_name(certificate)) == 1
            && X509_set_pubkey(leaf, leafKey) == 1
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, certificate, leaf, nil, nil, 0)
        for (nid, value) in extensions where made {
            guard let item = X509V3_EXT_conf_nid(nil, &context, nid, value) else { made = false; break }
            made = X509_add_ext(leaf, item, -1) == 1
            X509_EXTENSION_free(item)
        }
        guard made, X509_sign(leaf, key, EVP_sha256()) > 0 else {
            X509_free(leaf)
            throw TLSSetupError("could not sign a certificate for \(name) with the CA")
        }
        return leaf
    }

    /// Reads one PEM object from a file with `reader` (nil when the file or the object cannot be read).
    private static func read(_ path: String, _ reader: (OpaquePointer?, UnsafeMutablePointer<OpaquePointer?>?, (@convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32)?, UnsafeMutableRawPointer?) -> OpaquePointer?) -> OpaquePointer? {
        guard let file = BIO_new_file(path, "r") else { return nil }
        defer { BIO_free(file) }
        return reader(file, nil, nil, nil)
    }
}
