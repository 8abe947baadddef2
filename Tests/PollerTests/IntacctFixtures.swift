import Foundation

/// Response bodies shaped like the protocol reference's examples (all values invented).
enum IntacctFixtures {
    static let controlOK = "<control><status>success</status><senderid>demo-sender</senderid><controlid>c-1</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>"
    static let authOK = "<authentication><status>success</status><userid>api_user</userid><companyid>DEMO</companyid><locationid></locationid><sessiontimestamp>2024-01-05T10:00:00-08:00</sessiontimestamp><sessiontimeout>2024-01-05T11:00:00-08:00</sessiontimeout></authentication>"

    static func envelope(_ results: String) -> String {
        #"<?xml version="1.0" encoding="UTF-8"?><response>"# + controlOK + "<operation>" + authOK + results + "</operation></response>"
    }

    static let getAPISession = envelope("<result><status>success</status><function>getAPISession</function><controlid>f-1</controlid><data><api><sessionid>SeSsIoN-1</sessionid><endpoint>https://api.intacct.com/ia/xml/xmlgw.phtml</endpoint><locationid>E100</locationid></api></data></result>")

    static let queryPage = envelope("""
    <result><status>success</status><function>query</function><controlid>f-1</controlid>\
    <data listtype="GLACCOUNT" totalcount="5" offset="0" count="2" numremaining="3">\
    <GLACCOUNT><RECORDNO>42</RECORDNO><TITLE>Cash &amp; equivalents</TITLE><PARENTID></PARENTID><CATEGORY/><WHENMODIFIED>01/12/2024 09:15:02</WHENMODIFIED></GLACCOUNT>\
    <GLACCOUNT><RECORDNO>43</RECORDNO><TITLE><![CDATA[A <b> & c]]></TITLE><PARENTID>  </PARENTID><CATEGORY>x</CATEGORY><WHENMODIFIED>01/12/2024 09:15:03</WHENMODIFIED></GLACCOUNT>\
    </data></result>
    """)

    static let readByQueryPage = envelope("""
    <result><status>success</status><function>readByQuery</function><controlid>f-2</controlid>\
    <data listtype="vendor" count="1" totalcount="3" numremaining="2" resultId="7765DEMOres01">\
    <vendor><RECORDNO>11</RECORDNO><NAME>Acme</NAME><DISPLAYCONTACT><EMAIL1>a@b.c</EMAIL1></DISPLAYCONTACT></vendor></data></result>
    """)

    static let emptyData = envelope(#"<result><status>success</status><function>readByQuery</function><controlid>f-2</controlid><data listtype="department" count="0" totalcount="0" numremaining="0" resultId=""/></result>"#)

    static let controlFailure = #"<?xml version="1.0" encoding="UTF-8"?><response><control><status>failure</status><senderid>demo-sender</senderid><controlid>c-9</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control><errormessage><error><errorno>XL03000006</errorno><description></description><description2>Incorrect Intacct XML Partner ID or password.</description2><correction></correction></error></errormessage></response>"#

    static let authenticationFailure = #"<?xml version="1.0" encoding="UTF-8"?><response>"# + controlOK + "<operation><authentication><status>failure</status><userid>api_user</userid><companyid>DEMO</companyid><locationid></locationid></authentication><errormessage><error><errorno>XL03000006</errorno><description></description><description2>Invalid session</description2><correction></correction></error></errormessage></operation></response>"

    static let resultFailureAndAborted = envelope("""
    <result><status>failure</status><function>query</function><controlid>f-1</controlid><errormessage>\
    <error><errorno>BL01001973</errorno><description>Could not read record</description><description2>Object definition FOO not found. [Support ID: abc%7Exyz]</description2><correction>Check the object name.</correction></error>\
    <error><errorno>XL03000009</errorno><description>The entire transaction in this operation has been rolled back due to an error.</description><description2></description2><correction></correction></error>\
    </errormessage></result>\
    <result><status>aborted</status><function>readMore</function><controlid>f-2</controlid><errormessage><error><errorno>XL03000009</errorno><description>The entire transaction in this operation has been rolled back due to an error.</description></error></errormessage></result>\
    <result><status>success</status><function>lookup</function><controlid>f-3</controlid><data listtype="All" count="1"><Type Name="GLACCOUNT" DocumentType=""><Fields>\
    <Field><ID>RECORDNO</ID><LABEL>Record number</LABEL><DATATYPE>INTEGER</DATATYPE></Field>\
    <Field><ID>WHENMODIFIED</ID><LABEL>When modified</LABEL><DATATYPE>TIMESTAMP</DATATYPE></Field>\
    </Fields></Type></data></result>
    """)

    static let rateLimitBody = #"<response><control><status>failure</status></control><errormessage><error><errorno>GW-0010</errorno><description>Too many requests [Request ID: DEMO-1]</description></error></errormessage></response>"#

    static let cloudflarePage = #"<!DOCTYPE html><html><head><title>api.intacct.com | 502: Bad gateway</title></head><body><div id="cf-error-details">Bad gateway</div></body></html>"#

    static let unauthorized401 = #"<?xml version="1.0" encoding="UTF-8"?><response><control><status>failure</status></control><errormessage><error><errorno>XMLGW_JPP0002</errorno><description>Sign-in information is incorrect. Please check your request.</description></error></errormessage></response>"#
}
