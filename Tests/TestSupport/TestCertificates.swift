import Foundation

/// A throwaway certificate authority, a server certificate it signed for 127.0.0.1 and localhost,
/// and a second, unrelated authority: made with `openssl` for one test and removed with it.
public final class TestCertificates: Sendable {
    private let directory: TemporaryDirectory
    /// PEM of the authority that signed ``serverCertificate``.
    public let authority: String
    /// PEM of an authority that signed nothing here: trusting only it must fail verification.
    public let unrelatedAuthority: String
    public let serverCertificate: String
    public let serverKey: String

    /// Nil, with the reason, when `openssl` is not installed.
    public static func make() async throws -> TestCertificates? {
        guard (try? await Shell.run("command -v openssl")) != nil else { return nil }
        return try await TestCertificates()
    }

    private init() async throws {
        directory = try TemporaryDirectory()
        authority = directory.path("ca.pem")
        unrelatedAuthority = directory.path("other-ca.pem")
        serverCertificate = directory.path("server.pem")
        serverKey = directory.path("server.key")
        let dir = directory.url.path
        // Short-lived, 2048-bit RSA (fast enough to make per test); the server certificate names
        // both forms of the loopback host, as a real one names its host.
        _ = try await Shell.run("""
            cd '\(dir)' && \
            openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=qdrant-backup test CA' -keyout ca.key -out ca.pem 2>/dev/null && \
            openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=unrelated test CA' -keyout other-ca.key -out other-ca.pem 2>/dev/null && \
            openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' -keyout server.key -out server.csr 2>/dev/null && \
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > server.ext && \
            openssl x509 -req -days 2 -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -extfile server.ext -out server.pem 2>/dev/null
            """)
    }
}
