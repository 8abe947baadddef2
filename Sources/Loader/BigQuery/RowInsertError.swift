/// One entry of insertAll's `insertErrors`: the row's index in the request and BigQuery's reasons for it.
public struct RowInsertError: Sendable, Equatable, Decodable, CustomStringConvertible {
    /// The row's position in the request BigQuery answered (not in the loader's batch).
    public var index: Int
    public var details: [BigQueryErrorDetail]

    public init(index: Int, details: [BigQueryErrorDetail]) {
        self.index = index
        self.details = details
    }

    enum CodingKeys: String, CodingKey {
        case index
        case details = "errors"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // A row error without an index cannot be matched to a row; -1 keeps it visible but unmatched.
        index = try container.decodeIfPresent(Int.self, forKey: .index) ?? -1
        details = try container.decodeIfPresent([BigQueryErrorDetail].self, forKey: .details) ?? []
    }

    /// The detail that decides the row's fate: `invalid` (or any other non-retryable reason) wins over
    /// `stopped`, because a row that is itself bad stays bad after its neighbours are fixed.
    public var decisive: BigQueryErrorDetail? {
        details.first { !Self.isRetryable($0) } ?? details.first
    }

    public var reason: String { decisive?.reason ?? "unknown" }
    public var message: String { decisive?.message ?? "" }
    public var location: String? { decisive?.location }

    /// `stopped`: not written because another row in the request failed. `timeout`/`backendError`: transient.
    static let retryableReasons: Set<String> = ["stopped", "timeout", "backendError", "internalError"]

    private static func isRetryable(_ detail: BigQueryErrorDetail) -> Bool {
        detail.reason.map(retryableReasons.contains) ?? false
    }

    public var isRetryable: Bool { !details.isEmpty && details.allSatisfy(Self.isRetryable) }

    public var description: String {
        var text = "row \(index): \(reason)"
        if let location { text += " at \(location)" }
        if !message.isEmpty { text += ": \(message)" }
        return text
    }
}
