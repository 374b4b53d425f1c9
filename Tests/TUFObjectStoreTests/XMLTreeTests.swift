import Testing
@testable import TUFObjectStore

/// The small XML parser of S3's answers: what S3 sends parses, what it never sends (a DTD,
/// unbalanced or deep nesting, unknown entities) is refused rather than half-read.
@Suite struct XMLTreeTests {
    @Test func errorDocumentWithDeclarationNamespaceAndEntities() throws {
        let text = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- an S3 error -->
        <Error xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Code>SignatureDoesNotMatch</Code>\
        <Message>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#233;&#x41;<![CDATA[<raw>]]></Message><Empty/></Error>
        """
        let root = try XMLTree.parse(Array(text.utf8))
        #expect(root.name == "Error")
        #expect(root.text("Code") == "SignatureDoesNotMatch")
        #expect(root.text("Message") == "a <b> & \"c\" 'd' éA<raw>")
        #expect(root.child("Empty")?.text == "")
    }

    @Test func prefixedNamesAndAttributesAreReadPast() throws {
        let root = try XMLTree.parse(Array(#"<s3:List a="1" b='x>y'><s3:Key>k</s3:Key><Key>l</Key></s3:List>"#.utf8))
        #expect(root.name == "List")
        #expect(root.children("Key").map(\.text) == ["k", "l"])
    }

    @Test(arguments: [
        "<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>",  // a DTD: the way to entity expansion
        "<x>&a;</x>",                                   // an entity no DTD defined
        "<x>&#0;</x>",                                  // NUL, forbidden even as a reference
        "<x><y></x></y>",                               // mismatched
        "<x>",                                          // unterminated
        "<x></x><y></y>",                               // two roots
        "no markup",
        "<x a=1></x>",                                  // unquoted attribute
        String(repeating: "<a>", count: 40) + String(repeating: "</a>", count: 40),  // deeper than 32
    ])
    func malformedOrDangerousDocumentsAreRefused(_ text: String) {
        #expect(throws: XMLTree.Failure.self) { _ = try XMLTree.parse(Array(text.utf8)) }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: XMLTree.Failure.self) { _ = try XMLTree.parse(Array("<x>".utf8) + [0xFF, 0xFE] + Array("</x>".utf8)) }
    }

    @Test func listingPageKeysOutsideThePrefixAndTruncationWithoutTokenAreRefused() throws {
        func page(_ body: String) -> [UInt8] { Array("<ListBucketResult>\(body)</ListBucketResult>".utf8) }
        let good = try ListPage(page("<IsTruncated>true</IsTruncated><NextContinuationToken>t2</NextContinuationToken>"
                                     + "<Contents><Key>p/a</Key><Size>3</Size><ETag>\"e\"</ETag></Contents>"), prefix: "p/", named: "GET")
        #expect(good.objects == [S3ListedObject(key: "p/a", size: 3, etag: "\"e\"")])
        #expect(good.next == "t2")
        #expect(throws: ObjectStoreError(.invalidResponse, "")) {
            _ = try ListPage(page("<Contents><Key>q/a</Key><Size>3</Size></Contents>"), prefix: "p/", named: "GET")
        }
        #expect(throws: ObjectStoreError(.invalidResponse, "")) {
            _ = try ListPage(page("<IsTruncated>true</IsTruncated>"), prefix: "", named: "GET")
        }
        #expect(throws: ObjectStoreError(.invalidResponse, "")) {
            _ = try ListPage(page("<Contents><Key>a</Key><Size>-1</Size></Contents>"), prefix: "", named: "GET")
        }
        #expect(throws: ObjectStoreError(.invalidResponse, "")) { _ = try ListPage(Array("<Error/>".utf8), prefix: "", named: "GET") }
    }
}
