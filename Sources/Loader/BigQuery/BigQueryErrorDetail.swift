/// One of Google's `ErrorProto`s: an entry of an error response's `errors`, of an insertAll row's
/// `errors`, or a query job's `errorResult`. Google sends `location: ""` for "no location"; it is
/// read as `nil` so nobody has to tell the two apart.
public struct BigQueryErrorDetail: Sendable, Equatable, Decodable {
    /// Google's machine-readable reason (`invalid`, `stopped`, `notFound`, `quotaExceeded`...).
    public var reason: String?
    public var message: String
    /// The field or parameter the error is about, when Google names one.
    public var location: String?

    public init(reason: String?, message: String = "", location: String? = nil) {
        self.reason = reason
        self.message = message
        self.location = location.flatMap { $0.isEmpty ? nil : $0 }
    }

    enum CodingKeys: String, CodingKey { case reason, message, location }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(reason: try container.decodeIfPresent(String.self, forKey: .reason).flatMap { $0.isEmpty ? nil : $0 },
                  message: try container.decodeIfPresent(String.self, forKey: .message) ?? "",
                  location: try container.decodeIfPresent(String.self, forKey: .location))
    }
}
