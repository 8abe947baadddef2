/// A custom field added while the sandbox runs (schema drift, `POST /admin/schema/add_field`). Like a
/// field created in Intacct's UI, it is empty on existing records: only records whose current version
/// was modified at or after `addedAt` carry a value.
struct AddedField: Sendable, Equatable {
    var name: String
    var type: FieldType
    /// Sandbox clock (epoch seconds) when the field was added.
    var addedAt: Int64
}
