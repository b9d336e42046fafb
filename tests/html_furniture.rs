//! Main text of saved HTML pages keeps the article and drops the furniture
//! that sits inside or beside it: one small page per class of furniture,
//! read through the public HTML reader.

use cpsearch::ingest::html;

const PARAGRAPHS: [&str; 4] = [
    "The national cyber agency published new guidance on Tuesday for operators of municipal water systems, after a series of intrusions into remote access tools used by small utilities across the region.",
    "Officials said the intrusions exploited default passwords on programmable logic controllers, and that in two cases the attackers changed chemical dosing settings before staff noticed the alarms and reverted them by hand.",
    "The guidance asks operators to remove internet exposure of the controllers within thirty days, to enable multi-factor authentication on every remote session, and to report suspicious changes to the agency within one day.",
    "Industry groups welcomed the deadline but warned that many small utilities have no dedicated security staff, and asked the government for funding to replace controllers that cannot be patched at all.",
];

/// A news page: header navigation, the article with `inside` placed after
/// its second paragraph and `after` at its end, and a footer.
fn page(inside: &str, after: &str) -> String {
    let [p1, p2, p3, p4] = PARAGRAPHS;
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><title>Agency issues water guidance | The Ledger</title></head>
<body>
<header><nav><a href="/">Home</a> <a href="/policy">Policy</a> <a href="/world">World</a></nav></header>
<main><article>
<h1>Agency issues water guidance</h1>
<p>{p1}</p>
<p>{p2}</p>
{inside}
<p>{p3}</p>
<p>{p4}</p>
{after}
</article></main>
<footer><p>The Ledger, 1 Main Street</p></footer>
</body></html>"#
    )
}

fn body_of(html: &str) -> String {
    let articles = html::parse(html).expect("page parses");
    articles[0].body.clone()
}

fn assert_article_without(html: &str, furniture: &[&str]) {
    let body = body_of(html);
    for p in PARAGRAPHS {
        assert!(body.contains(p), "article paragraph lost: {p}\n---\n{body}");
    }
    for f in furniture {
        assert!(!body.contains(f), "furniture kept: {f}\n---\n{body}");
    }
}

#[test]
fn related_articles_box_heading_is_dropped() {
    let html = page(
        "",
        r#"<h3>Related articles</h3><p>Ransomware attack on a hospital chain in the north disrupted admissions for a week.</p>"#,
    );
    assert_article_without(&html, &["Related articles"]);
}

#[test]
fn teaser_for_another_article_is_dropped() {
    let html = page(
        r#"<p><strong>Read more:</strong> <a href="/c">Regulator fines telecom over breach</a></p>"#,
        "",
    );
    assert_article_without(&html, &["Read more:", "Regulator fines telecom"]);
}

#[test]
fn share_bar_and_print_button_are_dropped() {
    let html = page(
        "",
        r#"<div class="share"><span>Share this article</span></div><p><a href="/print">Print</a></p><p>Beitrag teilen</p>"#,
    );
    assert_article_without(&html, &["Share this article", "Beitrag teilen"]);
}

#[test]
fn comments_heading_is_dropped() {
    let html = page("", "<h3>Leave a comment</h3>");
    assert_article_without(&html, &["Leave a comment"]);
}

#[test]
fn subscription_prompt_is_dropped() {
    let html = page(
        r#"<p>Never miss a story: sign up for our morning newsletter today.</p>"#,
        "",
    );
    assert_article_without(&html, &["morning newsletter"]);
}

#[test]
fn cookie_consent_banner_is_dropped() {
    let html = page(
        "",
        r#"<div class="notice"><p>We use cookies to improve your experience. Accept cookies?</p></div>"#,
    );
    assert_article_without(&html, &["We use cookies"]);
}

#[test]
fn picture_credit_and_source_line_are_dropped() {
    let html = page(
        r#"<figure><img src="plant.jpg" alt=""><figcaption>A treatment plant near the river. © Jane Roe / Agency</figcaption></figure>"#,
        "<p>Source: Reuters</p><p>Photograph by Jane Roe</p>",
    );
    assert_article_without(&html, &["© Jane Roe", "Source: Reuters", "Photograph by"]);
}

#[test]
fn bare_date_line_is_dropped() {
    let html = page("", "<p>23.10.2018</p>");
    assert_article_without(&html, &["23.10.2018"]);
}

#[test]
fn soft_hyphens_do_not_split_words() {
    let html = page("<p>Der Klima\u{ad}wandel bedroht die Wasser\u{ad}versorgung auch in kleinen Gemeinden im ganzen Land.</p>", "");
    let body = body_of(&html);
    assert!(!body.contains('\u{ad}'), "{body}");
}
