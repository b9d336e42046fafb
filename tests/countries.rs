//! Regression tests for country tags that named no country: one per bug
//! class found on the hand-labelled real documents (`tests/labels/real/`),
//! each on a small text of our own, through the public library (the built-in
//! taxonomy) or the CLI. The rules behind them are data in
//! `data/taxonomy.toml` (`[countries]`, `[languages]`).

mod common;

use cpsearch::normalize::Taxonomy;

fn builtin() -> Taxonomy {
    Taxonomy::builtin().expect("built-in taxonomy")
}

fn countries(body: &str) -> Vec<String> {
    builtin().tag("", body, "").countries
}

#[test]
fn an_agency_alone_tagged_its_home_country() {
    let tags = builtin().tag("", "The FBI said the group stole card data.", "");
    assert_eq!(tags.agencies, ["FBI"]);
    assert!(tags.countries.is_empty(), "{tags:?}");
    // An agency name that names its country still does.
    assert_eq!(
        countries("The U.S. Department of Justice charged two men."),
        ["United States"]
    );
    assert_eq!(
        countries("The Australian Cyber Security Centre issued guidance."),
        ["Australia"]
    );
}

#[test]
fn agency_country_rule_is_taxonomy_data() {
    let toml = |rule: &str| {
        format!(
            r#"
[topics]
threshold = 3
[countries]
agency_country = "{rule}"
[[agency]]
name = "FBI"
country = "United States"
aliases = ["FBI", "U.S. FBI"]
[[country]]
name = "United States"
aliases = ["U.S."]
[[topic]]
name = "x"
terms = {{ "x" = 1 }}
"#
        )
    };
    let tag = |rule: &str, text: &str| {
        Taxonomy::from_toml(&toml(rule), "test")
            .expect("parses")
            .tag("", text, "")
            .countries
    };
    assert_eq!(tag("always", "the FBI said"), ["United States"]);
    assert!(tag("named", "the FBI said").is_empty());
    assert_eq!(tag("named", "the U.S. FBI said"), ["United States"]);
    assert!(tag("never", "the U.S. FBI said").is_empty());
}

#[test]
fn black_hat_usa_tagged_the_united_states() {
    assert!(countries("We presented the tool at Black Hat USA.").is_empty());
    assert!(countries("See our talk at Black Hat USA 2017 in Las Vegas.").is_empty());
    assert!(countries("said a specialist at ESET UK, and Huffington Post UK agreed").is_empty());
    // The acronym as a word still counts, and titles capitalize every word.
    assert_eq!(countries("Banks in the USA were hit."), ["United States"]);
    assert_eq!(
        countries("In UK law the fine is higher."),
        ["United Kingdom"]
    );
    assert_eq!(
        builtin().tag("Hackers Target UK", "", "").countries,
        ["United Kingdom"]
    );
}

#[test]
fn latin_america_tagged_the_united_states() {
    assert!(countries("The trojan has been observed in Latin America.").is_empty());
    assert!(countries("Latin American banks and ESET Latin-America’s lab").is_empty());
    assert!(countries("deployed in South America and North America").is_empty());
    assert_eq!(countries("American banks were hit."), ["United States"]);
}

#[test]
fn organisation_names_tagged_the_place_they_contain() {
    assert!(countries("attacks on the Royal Bank of Scotland and Bank of America").is_empty());
    assert!(countries("a message saying the Syrian Electronic Army was here").is_empty());
    assert!(countries("the malware is a Swiss Army knife").is_empty());
    assert!(countries("a campaign launched by UNICEF Australia on April 29").is_empty());
    assert!(countries("said Urban Schrott of ESET Ireland.").is_empty());
    assert!(countries("customers of Allied Irish Bank and the Royal Bank of Scotland").is_empty());
    assert!(countries("since the crash of Malaysia Airlines Flight 370").is_empty());
    // A government body's name names its country.
    assert_eq!(countries("the heist at Bangladesh Bank"), ["Bangladesh"]);
    // Countries listed one per line, which the reader joins into one
    // paragraph, stay countries.
    assert_eq!(
        countries("Estonia Kyrgyzstan Latvia Tajikistan"),
        ["Estonia", "Latvia"]
    );
}

#[test]
fn language_names_tagged_their_countries() {
    for text in [
        "Spanish version, English version, Portuguese version",
        "The following images show the campaign in Spanish, Portuguese, and English:",
        "as we see in both the Spanish and English versions",
        "not only in Spanish-speaking countries but where English or Portuguese is spoken.",
        "Filenames are often strings in Portuguese.",
        "The string is in Portuguese and says hello.",
        "underground Spanish-language forums",
    ] {
        assert!(countries(text).is_empty(), "{text}: {:?}", countries(text));
    }
    // A demonym that is not about the language still names the country.
    assert_eq!(countries("Spanish police arrested two men."), ["Spain"]);
    assert_eq!(
        countries("The files ended up in Russian hands."),
        ["Russia"]
    );
}

#[test]
fn words_inside_urls_tagged_countries_and_agencies() {
    let tags = builtin().tag(
        "",
        "Read https://example.com/2019/01/group-targeting-russian-banks/ and \
         https://example.org/FBI/press or mail info@japan-example.org.",
        "",
    );
    assert!(tags.countries.is_empty(), "{tags:?}");
    assert!(tags.agencies.is_empty(), "{tags:?}");
    assert_eq!(countries("Russian banks were targeted."), ["Russia"]);
}

#[test]
fn country_acronyms_in_codes_tagged_countries() {
    assert!(countries("The page sets the locale en-US and en-GB.").is_empty());
    assert!(countries("The build UK_2 and charset US-ASCII.").is_empty());
    assert_eq!(countries("US-based firms"), ["United States"]);
}

/// A CSAF advisory of our own, in the shape CISA publishes.
fn csaf(headquarters: &str, deployed: &str, acknowledgment: &str) -> String {
    serde_json::json!({
        "document": {
            "category": "csaf_security_advisory",
            "csaf_version": "2.0",
            "title": "Example Controls PLC Web Server",
            "publisher": {"name": "CISA", "category": "coordinator"},
            "tracking": {"id": "ICSA-99-001-01", "initial_release_date": "2024-03-05T07:00:00.000000Z"},
            "acknowledgments": [{"organization": "Example Labs", "summary": acknowledgment}],
            "notes": [
                {"category": "legal_disclaimer", "title": "Legal Notice",
                 "text": "The Department of Homeland Security (DHS) does not provide any warranties."},
                {"category": "summary", "title": "Risk evaluation",
                 "text": "Successful exploitation could allow a remote attacker to read files."},
                {"category": "other", "title": "Countries/areas deployed", "text": deployed},
                {"category": "other", "title": "Company headquarters location", "text": headquarters},
                {"category": "general", "title": "Recommended Practices",
                 "text": "CISA recommends users take defensive measures, see https://www.cisa.gov/ics."}
            ]
        },
        "product_tree": {"branches": [{"category": "vendor", "name": "Example Controls", "branches": []}]},
        "vulnerabilities": [{"cve": "CVE-2024-0001", "notes": [{"category": "summary", "text": "A path traversal flaw."}]}]
    })
    .to_string()
}

fn extract_csaf(json: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("icsa-99-001-01.json");
    std::fs::write(&file, json).expect("fixture written");
    let (docs, stderr, code) = common::extract(&file, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(docs.len(), 1, "{stderr}");
    docs.into_iter().next().expect("one document")
}

fn names(doc: &serde_json::Value, field: &str) -> Vec<String> {
    doc[field]
        .as_array()
        .expect("array field")
        .iter()
        .map(|v| v.as_str().expect("string").to_string())
        .collect()
}

#[test]
fn csaf_advisory_from_cisa_tagged_the_united_states() {
    let doc = extract_csaf(&csaf("Germany", "Worldwide", "reporting this to CISA"));
    assert_eq!(doc["format"], "csaf", "{doc}");
    assert_eq!(names(&doc, "agencies"), ["CISA"]);
    assert_eq!(names(&doc, "countries"), ["Germany"]);
    // A US vendor or a US deployment is US-related text and still counts.
    let doc = extract_csaf(&csaf(
        "United States",
        "Worldwide",
        "reporting this to CISA",
    ));
    assert_eq!(names(&doc, "countries"), ["United States"]);
}

#[test]
fn csaf_acknowledgments_were_not_tagged() {
    let doc = extract_csaf(&csaf(
        "Switzerland",
        "Worldwide",
        "reporting these vulnerabilities to the Federal Office for Information Security (BSI, Germany)",
    ));
    let agencies = names(&doc, "agencies");
    assert!(agencies.contains(&"BSI".to_string()), "{agencies:?}");
    assert_eq!(names(&doc, "countries"), ["Germany", "Switzerland"]);
}
