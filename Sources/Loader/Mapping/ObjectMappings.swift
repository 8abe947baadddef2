/// The default mappings for every object in the sandbox-company contract (`docs/sandbox-company.md`),
/// with the types Intacct's `lookup` reports. RECORDNO is INT64 except for GLDETAIL, whose record
/// numbers are composite strings (`<BATCHKEY>-<GLENTRYKEY>-<LINE_NO>--accrual`); AUDITHISTORY keys by ID.
public enum ObjectMappings {
    public static let all: [ObjectMapping] = [
        mapping("LOCATIONENTITY", "RECORDNO I, LOCATIONID T, NAME T, CURRENCY T, STATUS E, WHENMODIFIED TS"),
        mapping("GLACCOUNT", """
            RECORDNO I, ACCOUNTNO T, TITLE T, ACCOUNTTYPE E, NORMALBALANCE E, CLOSINGTYPE E, CATEGORY T, CATEGORYKEY I,
            STATUS E, REQUIREDEPT B, REQUIRELOC B, WHENCREATED TS, WHENMODIFIED TS
            """),
        mapping("DEPARTMENT", "RECORDNO I, DEPARTMENTID T, TITLE T, PARENTKEY I, PARENTID T, PARENTNAME T, STATUS E, WHENCREATED TS, WHENMODIFIED TS"),
        mapping("LOCATION", "RECORDNO I, LOCATIONID T, NAME T, PARENTKEY I, PARENTID T, STATUS E, CURRENCY T, WHENMODIFIED TS"),
        mapping("CLASS", "RECORDNO I, CLASSID T, NAME T, DESCRIPTION T, PARENTKEY I, PARENTID T, PARENTNAME T, STATUS E, WHENCREATED TS, WHENMODIFIED TS"),
        mapping("PROJECT", """
            RECORDNO I, PROJECTID T, NAME T, PARENTKEY I, PARENTID T, PROJECTSTATUS E, STATUS E, LOCATIONID T, CURRENCY T,
            BUDGETAMOUNT D, WHENMODIFIED TS
            """),
        mapping("VENDOR", """
            RECORDNO I, VENDORID T, NAME T, PARENTKEY I, PARENTID T, VENDTYPE T, APACCOUNT T, STATUS E, CREDITLIMIT D,
            ONHOLD B, WHENCREATED TS, WHENMODIFIED TS
            """),
        mapping("GLBATCH", "RECORDNO I, BATCHNO I, JOURNAL T, BATCH_DATE DT, BATCH_TITLE T, REFERENCENO T, STATE E, MEGAENTITYID T, WHENMODIFIED TS"),
        mapping("GLENTRY", """
            RECORDNO I, BATCHNO I, BATCHKEY I, LINE_NO I, ENTRY_DATE DT, ACCOUNTNO T, DEPARTMENTID T, LOCATIONID T, CLASSID T,
            PROJECTID T, VENDORID T, TR_TYPE I, AMOUNT D, CURRENCY T, DESCRIPTION T, STATE E, MEGAENTITYID T, WHENMODIFIED TS
            """),
        mapping("GLDETAIL", """
            RECORDNO T, BATCHKEY I, BATCH_DATE DT, BATCH_NO I, BATCH_TITLE T, MODULEKEY T, LINE_NO I, ENTRY_DATE DT,
            ACCOUNTNO T, ACCOUNTTITLE T, DEPARTMENTID T, LOCATIONID T, CLASSID T, PROJECTID T, VENDORID T, CURRENCY T,
            DEBITAMOUNT D, CREDITAMOUNT D, AMOUNT D, GLENTRYKEY I, STATE E, MEGAENTITYID T, WHENMODIFIED TS
            """),
        mapping("APBILL", """
            RECORDNO I, RECORDID T, STATE E, VENDORID T, VENDORNAME T, DOCNUMBER T, WHENCREATED DT, WHENPOSTED DT, WHENDUE DT,
            WHENPAID DT, TOTALENTERED D, TOTALPAID D, TOTALDUE D, CURRENCY T, DESCRIPTION T, ONHOLD B, MEGAENTITYID T,
            WHENMODIFIED TS
            """),
        mapping("APPYMT", """
            RECORDNO I, VENDORID T, BILLKEY I, PAYMENTMETHOD E, PAYMENTDATE DT, DOCNUMBER T, AMOUNT D, CURRENCY T, STATE E,
            MEGAENTITYID T, WHENMODIFIED TS
            """),
        mapping("AUDITHISTORY", "ID T, OBJECTTYPE T, OBJECTKEY T, ACCESSMODE T, ACCESSTIME TS, USERID T, MEGAENTITYID T"),
    ]

    /// The mapping for `object` (any case), or `nil` for an object nobody mapped yet.
    public static func mapping(for object: String) -> ObjectMapping? {
        byObject[object.uppercased()]
    }

    private static let byObject: [String: ObjectMapping] = Dictionary(uniqueKeysWithValues: all.map { ($0.object, $0) })

    /// A compact `NAME CODE, ...` spec keeps the table above readable next to the contract document.
    private static func mapping(_ object: String, _ spec: String) -> ObjectMapping {
        let codes: [String: IntacctFieldType] = [
            "T": .text, "E": .enumeration, "I": .integer, "D": .decimal, "B": .boolean, "DT": .date, "TS": .timestamp,
        ]
        let fields = spec.split(separator: ",").map { entry -> FieldMapping in
            let parts = entry.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
            guard parts.count == 2, let type = codes[parts[1]] else { preconditionFailure("bad mapping spec \(entry) for \(object)") }
            return FieldMapping(parts[0], type)
        }
        return ObjectMapping(object: object, fields: fields)
    }
}
