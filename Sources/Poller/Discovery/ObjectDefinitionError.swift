/// Why an object named in `poller.objects` cannot be read, found by `lookup` before anything is polled
/// (start-up and `check`), so the operator learns it from the object's name and Intacct's own words.
public enum ObjectDefinitionError: Error, Sendable, CustomStringConvertible {
    /// Intacct answered `lookup` with an error: usually an object the company does not have, or a
    /// module it has not subscribed to.
    case rejectedByIntacct(object: String, IntacctError)
    /// Lookup could not be asked (network, gateway) and neither the catalog nor the mapping file
    /// knows the object's fields.
    case noFieldsKnown(object: String, IntacctError?)
    /// The key field is not among the fields lookup lists; `key_field` in the mapping file names another.
    case keyFieldMissing(object: String, keyField: String)

    public var object: String {
        switch self {
        case let .rejectedByIntacct(object, _), let .noFieldsKnown(object, _), let .keyFieldMissing(object, _): object
        }
    }

    public var description: String {
        switch self {
        case let .rejectedByIntacct(object, error):
            let words = error.details.map(\.description).joined(separator: "; ")
            return "poller.objects: Intacct rejected object \(object): \(words.isEmpty ? "\(error)" : words)"
        case let .noFieldsKnown(object, error):
            return "poller.objects: no fields known for object \(object) (not in the built-in catalog or the mapping file)"
                + (error.map { "; lookup failed: \($0)" } ?? "")
        case let .keyFieldMissing(object, keyField):
            return "poller.objects: Intacct's lookup of \(object) does not list its key field \(keyField); "
                + "set key_field for \(object) in poller.mapping_file"
        }
    }
}
