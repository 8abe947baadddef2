/// Field types as Intacct's `lookup` reports them; they decide how filters compare and how rows sort.
enum FieldType: String, Sendable, CaseIterable {
    case integer = "INTEGER", text = "TEXT", enumeration = "ENUM", boolean = "BOOLEAN"
    case date = "DATE", timestamp = "TIMESTAMP", decimal = "DECIMAL", percent = "PERCENT"

    var isNumeric: Bool { self == .integer || self == .decimal || self == .percent }
    var isTime: Bool { self == .date || self == .timestamp }
}

/// Where an object's records live in the multi-entity company.
enum ObjectLevel: Sendable { case top, entity }

/// The objects the sandbox serves, with the field lists of docs/sandbox-company.md in contract order.
enum SandboxObject: String, CaseIterable, Sendable {
    case LOCATIONENTITY, GLACCOUNT, DEPARTMENT, LOCATION, CLASS, PROJECT, VENDOR
    case GLBATCH, GLENTRY, GLDETAIL, APBILL, APPYMT, AUDITHISTORY

    /// Object names are matched case-insensitively, as the gateway does.
    init?(name: String) {
        self.init(rawValue: name.trimmingCharacters(in: .whitespaces).uppercased())
    }

    var level: ObjectLevel {
        switch self {
        case .GLBATCH, .GLENTRY, .GLDETAIL, .APBILL, .APPYMT: return .entity
        default: return .top
        }
    }

    var schema: ObjectSchema { ObjectSchema.all[self]! }
}

/// One object's fields. Rows are `[String]` in this field order: the standard fields, then the
/// company's custom fields (`ISCUSTOM` in lookup), whose values `CustomFieldValues` generates.
struct ObjectSchema: Sendable {
    struct Field: Sendable {
        var name: String
        var type: FieldType
        var isCustom: Bool
    }

    let object: SandboxObject
    let fields: [Field]
    /// How many leading fields the object's own generator produces; the rest are custom.
    let standardFieldCount: Int
    let fieldIndex: [String: Int]
    /// The incremental field: WHENMODIFIED, or ACCESSTIME for AUDITHISTORY.
    let timeField: Int
    /// RECORDNO, or ID for AUDITHISTORY.
    let keyField: Int
    /// Where MEGAENTITYID sits, if the object has it.
    let megaEntityField: Int?

    init(_ object: SandboxObject, _ spec: String, custom: String = "") {
        self.object = object
        var fields: [Field] = []
        let standard = spec.split(separator: " ")
        standardFieldCount = standard.count
        for (position, item) in (standard + custom.split(separator: " ")).enumerated() {
            let parts = item.split(separator: ":")
            let type: FieldType
            switch parts.count > 1 ? parts[1] : "T" {
            case "I": type = .integer
            case "E": type = .enumeration
            case "B": type = .boolean
            case "D": type = .date
            case "S": type = .timestamp
            case "N": type = .decimal
            case "P": type = .percent
            default: type = .text
            }
            fields.append(Field(name: String(parts[0]), type: type, isCustom: position >= standard.count))
        }
        self.fields = fields
        var index: [String: Int] = [:]
        for (i, field) in fields.enumerated() { index[field.name] = i }
        fieldIndex = index
        timeField = index["WHENMODIFIED"] ?? index["ACCESSTIME"]!
        keyField = index["RECORDNO"] ?? index["ID"]!
        megaEntityField = index["MEGAENTITYID"]
    }

    /// Field names are matched case-insensitively; clients send them uppercase.
    func field(named name: String) -> Int? {
        fieldIndex[name.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()]
    }

    var keyIsNumeric: Bool { fields[keyField].type == .integer }

    static let all: [SandboxObject: ObjectSchema] = {
        let specs: [SandboxObject: String] = [
            .LOCATIONENTITY: "RECORDNO:I LOCATIONID NAME CURRENCY STATUS:E WHENMODIFIED:S",
            .GLACCOUNT: "RECORDNO:I ACCOUNTNO TITLE ACCOUNTTYPE:E NORMALBALANCE:E CLOSINGTYPE:E CATEGORY CATEGORYKEY:I STATUS:E REQUIREDEPT:B REQUIRELOC:B WHENCREATED:S WHENMODIFIED:S",
            .DEPARTMENT: "RECORDNO:I DEPARTMENTID TITLE PARENTKEY:I PARENTID PARENTNAME STATUS:E WHENCREATED:S WHENMODIFIED:S",
            .LOCATION: "RECORDNO:I LOCATIONID NAME PARENTKEY:I PARENTID STATUS:E CURRENCY WHENMODIFIED:S",
            .CLASS: "RECORDNO:I CLASSID NAME DESCRIPTION PARENTKEY:I PARENTID PARENTNAME STATUS:E WHENCREATED:S WHENMODIFIED:S",
            .PROJECT: "RECORDNO:I PROJECTID NAME PARENTKEY:I PARENTID PROJECTSTATUS:E STATUS:E LOCATIONID CURRENCY BUDGETAMOUNT:N WHENMODIFIED:S",
            .VENDOR: "RECORDNO:I VENDORID NAME PARENTKEY:I PARENTID VENDTYPE APACCOUNT STATUS:E CREDITLIMIT:N ONHOLD:B WHENCREATED:S WHENMODIFIED:S",
            .GLBATCH: "RECORDNO:I BATCHNO:I JOURNAL BATCH_DATE:D BATCH_TITLE REFERENCENO STATE:E MEGAENTITYID WHENMODIFIED:S",
            .GLENTRY: "RECORDNO:I BATCHNO:I BATCHKEY:I LINE_NO:I ENTRY_DATE:D ACCOUNTNO DEPARTMENTID LOCATIONID CLASSID PROJECTID VENDORID TR_TYPE:I AMOUNT:N CURRENCY DESCRIPTION STATE:E MEGAENTITYID WHENMODIFIED:S",
            .GLDETAIL: "RECORDNO BATCHKEY:I BATCH_DATE:D BATCH_NO:I BATCH_TITLE MODULEKEY LINE_NO:I ENTRY_DATE:D ACCOUNTNO ACCOUNTTITLE DEPARTMENTID LOCATIONID CLASSID PROJECTID VENDORID CURRENCY DEBITAMOUNT:N CREDITAMOUNT:N AMOUNT:N GLENTRYKEY:I STATE:E MEGAENTITYID WHENMODIFIED:S",
            .APBILL: "RECORDNO:I RECORDID STATE:E VENDORID VENDORNAME DOCNUMBER WHENCREATED:D WHENPOSTED:D WHENDUE:D WHENPAID:D TOTALENTERED:N TOTALPAID:N TOTALDUE:N CURRENCY DESCRIPTION ONHOLD:B MEGAENTITYID WHENMODIFIED:S",
            .APPYMT: "RECORDNO:I VENDORID BILLKEY:I PAYMENTMETHOD:E PAYMENTDATE:D DOCNUMBER AMOUNT:N CURRENCY STATE:E MEGAENTITYID WHENMODIFIED:S",
            .AUDITHISTORY: "ID OBJECTTYPE OBJECTKEY ACCESSMODE ACCESSTIME:S USERID MEGAENTITYID",
        ]
        // One or more custom fields per data object, so discovery has something to find, and every lookup
        // type appears somewhere (PERCENT only here). GLDETAIL repeats its GLENTRY line's dimension.
        let customs: [SandboxObject: String] = [
            .LOCATIONENTITY: "CUSTOMFIELD_REPORTING_REGION",
            .GLACCOUNT: "CUSTOMFIELD_IFRS_CODE",
            .DEPARTMENT: "CUSTOMFIELD_HEADCOUNT:I",
            .LOCATION: "CUSTOMFIELD_OPENED_ON:D",
            .CLASS: "CUSTOMFIELD_GRANT_FUNDED:B",
            .PROJECT: "CUSTOMFIELD_COMPLETION_PCT:P",
            .VENDOR: "CUSTOMFIELD_DISCOUNT_PCT:P CUSTOMFIELD_RISK_TIER:E",
            .GLBATCH: "CUSTOMFIELD_APPROVED_AT:S",
            .GLENTRY: "GLDIM_REGION:E",
            .GLDETAIL: "GLDIM_REGION:E",
            .APBILL: "CUSTOMFIELD_PO_NUMBER CUSTOMFIELD_TAX_RATE:P",
            .APPYMT: "CUSTOMFIELD_BANK_REFERENCE CUSTOMFIELD_FX_FEE:N",
        ]
        var result: [SandboxObject: ObjectSchema] = [:]
        for (object, spec) in specs { result[object] = ObjectSchema(object, spec, custom: customs[object] ?? "") }
        return result
    }()
}
