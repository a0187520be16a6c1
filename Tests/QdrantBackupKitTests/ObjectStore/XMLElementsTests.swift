import Foundation
@testable import QdrantBackupKit
import Testing

@Suite("object storage: the XML of S3's answers")
struct XMLElementsTests {
    @Test("a listing's keys, sizes and continuation token are read, entities and character references decoded")
    func listing() {
        let document = XMLElements(Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>backups</Name><Prefix>qdrant/</Prefix>
              <!-- a comment <Key>not a key</Key> -->
              <Contents><Key>qdrant/a&amp;b.qdrant.tar</Key><Size>1024</Size><LastModified>2025-03-10T02:00:01.000Z</LastModified></Contents>
              <Contents><Key>qdrant/&lt;odd&gt; &quot;name&quot; &apos;x&apos; &#233;&#x20AC;.qdrant.tar</Key><Size>7</Size></Contents>
              <Contents><Key><![CDATA[qdrant/raw&amp;.qdrant.tar]]></Key><Size>0</Size><Owner/></Contents>
              <IsTruncated>true</IsTruncated><NextContinuationToken>1/ab+c=</NextContinuationToken>
            </ListBucketResult>
            """.utf8))
        #expect(document.all("Key") == ["qdrant/a&b.qdrant.tar", "qdrant/<odd> \"name\" 'x' é€.qdrant.tar", "qdrant/raw&amp;.qdrant.tar"])
        #expect(document.all("Size") == ["1024", "7", "0"])
        #expect(document.all("LastModified") == ["2025-03-10T02:00:01.000Z"])
        #expect(document.first("Owner") == "")
        #expect(document.first("IsTruncated") == "true")
        #expect(document.first("NextContinuationToken") == "1/ab+c=")
        #expect(document.first("Missing") == nil)
    }

    @Test("an error document's code and message; a truncated or empty answer keeps what was read")
    func errorsAndDamage() {
        let error = XMLElements(Data("<Error><Code>NoSuchKey</Code><Message>The key does not exist.</Message></Error>".utf8))
        #expect(error.first("Code") == "NoSuchKey")
        #expect(error.first("Message") == "The key does not exist.")
        let truncated = XMLElements(Data("<InitiateMultipartUploadResult><UploadId>abc</UploadId><Bucket>b".utf8))
        #expect(truncated.first("UploadId") == "abc")
        #expect(truncated.first("Bucket") == nil)
        #expect(XMLElements(Data()).first("Code") == nil)
        #expect(XMLElements(Data("not xml at all".utf8)).first("Code") == nil)
    }
}
