/// Defaults for the objects this connector knows well: level, key, money field and the fields it selects.
/// The standard catalog follows `docs/sandbox-company.md` (itself drawn from the fields the public Intacct
/// SDKs and taps select). It is not a gate: any other object is read from what `lookup` reports
/// (`definition(of:mapping:)`), and `lookup` removes catalog fields a company does not have.
public struct ObjectCatalog: Sendable, Equatable {
    public var objects: [IntacctObject]

    public init(objects: [IntacctObject]) { self.objects = objects }

    public subscript(name: String) -> IntacctObject? {
        objects.first { $0.name == name.uppercased() }
    }

    /// Where reading `name` starts: the catalog's entry (defaults, not a gate), or for any other object
    /// (standard, custom or platform) an entry with no fields yet, which then takes every field `lookup`
    /// lists. The mapping file's `level`, `key_field` and `amount_field` win over both.
    public func definition(of name: String, mapping: SchemaMapping.Object? = nil) -> IntacctObject {
        var object = self[name] ?? IntacctObject(name: name.uppercased(), level: .top, fields: [], takesEveryListedField: true)
        if let level = mapping?.level { object.level = level }
        if let key = mapping?.keyField { object.keyField = key }
        if let amount = mapping?.amountField { object.amountField = amount }
        return object
    }

    public static let standard = ObjectCatalog(objects: [
        IntacctObject(name: "LOCATIONENTITY", level: .top, fields: [
            .init("RECORDNO", .integer), .init("LOCATIONID", .text), .init("NAME", .text), .init("CURRENCY", .text),
            .init("STATUS", .enumeration), .init("WHENMODIFIED", .timestamp),
        ]),
        IntacctObject(name: "GLACCOUNT", level: .top, fields: [
            .init("RECORDNO", .integer), .init("ACCOUNTNO", .text), .init("TITLE", .text), .init("ACCOUNTTYPE", .enumeration),
            .init("NORMALBALANCE", .enumeration), .init("CLOSINGTYPE", .enumeration), .init("CATEGORY", .text),
            .init("CATEGORYKEY", .integer), .init("STATUS", .enumeration), .init("REQUIREDEPT", .boolean),
            .init("REQUIRELOC", .boolean), .init("WHENCREATED", .timestamp), .init("WHENMODIFIED", .timestamp),
        ]),
        IntacctObject(name: "DEPARTMENT", level: .top, fields: [
            .init("RECORDNO", .integer), .init("DEPARTMENTID", .text), .init("TITLE", .text), .init("PARENTKEY", .integer),
            .init("PARENTID", .text), .init("PARENTNAME", .text), .init("STATUS", .enumeration),
            .init("WHENCREATED", .timestamp), .init("WHENMODIFIED", .timestamp),
        ], parentKeyField: "PARENTKEY"),
        IntacctObject(name: "LOCATION", level: .top, fields: [
            .init("RECORDNO", .integer), .init("LOCATIONID", .text), .init("NAME", .text), .init("PARENTKEY", .integer),
            .init("PARENTID", .text), .init("STATUS", .enumeration), .init("CURRENCY", .text), .init("WHENMODIFIED", .timestamp),
        ], parentKeyField: "PARENTKEY"),
        IntacctObject(name: "CLASS", level: .top, fields: [
            .init("RECORDNO", .integer), .init("CLASSID", .text), .init("NAME", .text), .init("DESCRIPTION", .text),
            .init("PARENTKEY", .integer), .init("PARENTID", .text), .init("PARENTNAME", .text), .init("STATUS", .enumeration),
            .init("WHENCREATED", .timestamp), .init("WHENMODIFIED", .timestamp),
        ], parentKeyField: "PARENTKEY"),
        IntacctObject(name: "PROJECT", level: .top, fields: [
            .init("RECORDNO", .integer), .init("PROJECTID", .text), .init("NAME", .text), .init("PARENTKEY", .integer),
            .init("PARENTID", .text), .init("PROJECTSTATUS", .enumeration), .init("STATUS", .enumeration),
            .init("LOCATIONID", .text), .init("CURRENCY", .text), .init("BUDGETAMOUNT", .decimal), .init("WHENMODIFIED", .timestamp),
        ], amountField: "BUDGETAMOUNT", parentKeyField: "PARENTKEY"),
        IntacctObject(name: "VENDOR", level: .top, fields: [
            .init("RECORDNO", .integer), .init("VENDORID", .text), .init("NAME", .text), .init("PARENTKEY", .integer),
            .init("PARENTID", .text), .init("VENDTYPE", .text), .init("APACCOUNT", .text), .init("STATUS", .enumeration),
            .init("CREDITLIMIT", .decimal), .init("ONHOLD", .boolean), .init("WHENCREATED", .timestamp),
            .init("WHENMODIFIED", .timestamp),
        ], parentKeyField: "PARENTKEY"),
        IntacctObject(name: "GLBATCH", level: .entity, fields: [
            .init("RECORDNO", .integer), .init("BATCHNO", .integer), .init("JOURNAL", .text), .init("BATCH_DATE", .date),
            .init("BATCH_TITLE", .text), .init("REFERENCENO", .text), .init("STATE", .enumeration),
            .init("MEGAENTITYID", .text), .init("WHENMODIFIED", .timestamp),
        ]),
        IntacctObject(name: "GLENTRY", level: .entity, fields: [
            .init("RECORDNO", .integer), .init("BATCHNO", .integer), .init("BATCHKEY", .integer), .init("LINE_NO", .integer),
            .init("ENTRY_DATE", .date), .init("ACCOUNTNO", .text), .init("DEPARTMENTID", .text), .init("LOCATIONID", .text),
            .init("CLASSID", .text), .init("PROJECTID", .text), .init("VENDORID", .text), .init("TR_TYPE", .integer),
            .init("AMOUNT", .decimal), .init("CURRENCY", .text), .init("DESCRIPTION", .text), .init("STATE", .enumeration),
            .init("MEGAENTITYID", .text), .init("WHENMODIFIED", .timestamp),
        ], amountField: "AMOUNT"),
        IntacctObject(name: "GLDETAIL", level: .entity, fields: [
            .init("RECORDNO", .text), .init("BATCHKEY", .integer), .init("BATCH_DATE", .date), .init("BATCH_NO", .integer),
            .init("BATCH_TITLE", .text), .init("MODULEKEY", .text), .init("LINE_NO", .integer), .init("ENTRY_DATE", .date),
            .init("ACCOUNTNO", .text), .init("ACCOUNTTITLE", .text), .init("DEPARTMENTID", .text), .init("LOCATIONID", .text),
            .init("CLASSID", .text), .init("PROJECTID", .text), .init("VENDORID", .text), .init("CURRENCY", .text),
            .init("DEBITAMOUNT", .decimal), .init("CREDITAMOUNT", .decimal), .init("AMOUNT", .decimal),
            .init("GLENTRYKEY", .integer), .init("STATE", .enumeration), .init("MEGAENTITYID", .text),
            .init("WHENMODIFIED", .timestamp),
        ], amountField: "DEBITAMOUNT"),
        IntacctObject(name: "APBILL", level: .entity, fields: [
            .init("RECORDNO", .integer), .init("RECORDID", .text), .init("STATE", .enumeration), .init("VENDORID", .text),
            .init("VENDORNAME", .text), .init("DOCNUMBER", .text), .init("WHENCREATED", .date), .init("WHENPOSTED", .date),
            .init("WHENDUE", .date), .init("WHENPAID", .date), .init("TOTALENTERED", .decimal), .init("TOTALPAID", .decimal),
            .init("TOTALDUE", .decimal), .init("CURRENCY", .text), .init("DESCRIPTION", .text), .init("ONHOLD", .boolean),
            .init("MEGAENTITYID", .text), .init("WHENMODIFIED", .timestamp),
        ], amountField: "TOTALENTERED"),
        IntacctObject(name: "APPYMT", level: .entity, fields: [
            .init("RECORDNO", .integer), .init("VENDORID", .text), .init("BILLKEY", .integer), .init("PAYMENTMETHOD", .enumeration),
            .init("PAYMENTDATE", .date), .init("DOCNUMBER", .text), .init("AMOUNT", .decimal), .init("CURRENCY", .text),
            .init("STATE", .enumeration), .init("MEGAENTITYID", .text), .init("WHENMODIFIED", .timestamp),
        ], amountField: "AMOUNT"),
    ])

    /// AUDITHISTORY is read for deletes, not moved as data.
    public static let auditHistory = IntacctObject(name: "AUDITHISTORY", level: .top, keyField: "ID", fields: [
        .init("ID", .text), .init("OBJECTTYPE", .text), .init("OBJECTKEY", .text), .init("ACCESSMODE", .text),
        .init("ACCESSTIME", .timestamp), .init("USERID", .text), .init("MEGAENTITYID", .text),
    ])
}
