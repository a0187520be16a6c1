/// Credentials for AWS Signature V4, which libcurl computes for each request. Never logged or
/// stored: the description shows only the key id's first characters.
public struct AWSSigning: Sendable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    public var region: String
    public var service = "s3"

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, region: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.region = region
    }

    public var description: String { "AWS SigV4 (\(accessKeyID.prefix(4))…, \(region))" }
}
