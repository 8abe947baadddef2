import Foundation

/// The `ibq-field-types` header: `{"FIELD":"DATATYPE",…}` for the fields of a record that the standard
/// catalog does not type (custom fields found by `lookup`). It lets a loader that has never heard of a
/// field add a correctly typed column the first time the field arrives, without its own lookup call.
public struct FieldTypeHints: Sendable, Equatable {
    public var types: [String: IntacctFieldType]

    public init(_ types: [String: IntacctFieldType] = [:]) { self.types = types }

    /// Reads a header value; unknown DATATYPEs read as TEXT (nothing is lost in a STRING column), and a
    /// value that is not a JSON object gives no hints rather than an error: hints are an optimisation.
    public init(header: String?) {
        guard let data = header?.data(using: .utf8),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: String] else {
            types = [:]
            return
        }
        types = object.reduce(into: [:]) { $0[$1.key.uppercased()] = IntacctFieldType(lookupDataType: $1.value) }
    }

    /// Keys sorted, so equal hints are equal bytes.
    public var header: String {
        "{" + types.keys.sorted().map { "\"\($0)\":\"\(types[$0]!.rawValue)\"" }.joined(separator: ",") + "}"
    }

    public subscript(field: String) -> IntacctFieldType? { types[field.uppercased()] }
}
