//! Dates and main text of saved web pages: one small fixture per rule in
//! `tests/fixtures/html-dates/`, read through the library's HTML reader and
//! the full extract pipeline (which records where each date came from).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use cpsearch::ingest::{self, html, IngestOptions};
use cpsearch::normalize::Taxonomy;
use cpsearch::{DateSource, Document};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/html-dates")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

/// Every fixture page extracted as `extract` would, read on 2024-06-01.
fn extract(name: &str) -> Document {
    let taxonomy = Taxonomy::builtin().expect("taxonomy");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(fixtures().join(name), dir.path().join(name)).expect("copy fixture");
    let walk = ingest::discover(&[dir.path().to_path_buf()]).expect("walk");
    let options = IngestOptions {
        today: Some(day(2024, 6, 1)),
        ..IngestOptions::default()
    };
    let mut docs = Vec::new();
    ingest::extract_files(walk.files, &options, &taxonomy, |r| {
        docs.extend(r.documents);
        Ok(())
    })
    .expect("extract");
    docs.pop().expect("one document")
}

#[test]
fn utc_metadata_stamp_one_day_off_yields_to_the_local_url_day() {
    let doc = extract("utc-metadata-local-url.html");
    assert_eq!(doc.date, Some(day(2023, 11, 8)));
    assert_eq!(doc.date_source, Some(DateSource::Url));
}

#[test]
fn canonical_url_day_dates_a_page_without_metadata() {
    let doc = extract("url-only.html");
    assert_eq!(doc.date, Some(day(2021, 5, 14)));
    assert_eq!(doc.date_source, Some(DateSource::Url));
}

#[test]
fn german_byline_gives_the_published_date_not_the_update() {
    let doc = extract("german-byline.html");
    assert_eq!(doc.date, Some(day(2022, 3, 3)));
    assert_eq!(doc.date_source, Some(DateSource::Text));
}

#[test]
fn dates_after_today_or_before_the_web_are_not_believed() {
    let doc = extract("future-and-ancient.html");
    assert_eq!(doc.date, Some(day(2018, 6, 4)));
    assert_eq!(doc.date_source, Some(DateSource::Text));
}

#[test]
fn without_today_the_future_date_stands_but_not_1970() {
    let page = std::fs::read_to_string(fixtures().join("future-and-ancient.html")).expect("read");
    let article = html::parse(&page).expect("parse").remove(0);
    assert_eq!(article.meta_date.as_deref(), Some("2099-01-01"));
}

#[test]
fn dc_date_meta_name_matches_in_any_case() {
    let doc = extract("dc-date-case.html");
    assert_eq!(doc.date, Some(day(2006, 12, 16)));
    assert_eq!(doc.date_source, Some(DateSource::Metadata));
}

#[test]
fn navigation_cookie_banner_and_teaser_labels_stay_out_of_main_text() {
    let doc = extract("main-text-furniture.html");
    assert!(doc
        .body
        .contains("programmable controllers within thirty days"));
    assert!(doc.body.contains("list of affected firmware versions"));
    for furniture in ["We use cookies", "Auch interessant", "Home News"] {
        assert!(
            !doc.body.contains(furniture),
            "{furniture} leaked: {}",
            doc.body
        );
    }
}

#[test]
fn generic_date_meta_yields_to_the_date_shown_under_the_headline() {
    let doc = extract("generic-meta-visible-date.html");
    assert_eq!(doc.date, Some(day(2022, 1, 27)));
    assert_eq!(doc.date_source, Some(DateSource::Text));
}

#[test]
fn generic_date_meta_stands_when_the_byline_shows_its_day() {
    let doc = extract("generic-meta-confirmed-by-byline.html");
    assert_eq!(doc.date, Some(day(2020, 4, 20)));
    assert_eq!(doc.date_source, Some(DateSource::Metadata));
}

#[test]
fn header_date_before_the_headline_does_not_shift_the_metadata_day() {
    let doc = extract("header-today-not-the-local-day.html");
    assert_eq!(doc.date, Some(day(2019, 10, 18)));
    assert_eq!(doc.date_source, Some(DateSource::Metadata));
}

#[test]
fn utc_metadata_stamp_one_day_off_yields_to_the_byline_under_the_headline() {
    let doc = extract("byline-local-day.html");
    assert_eq!(doc.date, Some(day(2023, 11, 8)));
    assert_eq!(doc.date_source, Some(DateSource::Text));
}

#[test]
fn undated_page_takes_the_date_its_text_repeats_most() {
    let doc = extract("most-frequent-text-date.html");
    assert_eq!(doc.date, Some(day(2022, 1, 14)));
    assert_eq!(doc.date_source, Some(DateSource::Text));
}

#[test]
fn french_mis_en_ligne_label_dates_the_page() {
    let doc = extract("french-mis-en-ligne.html");
    assert_eq!(doc.date, Some(day(2019, 5, 23)));
    assert_eq!(doc.date_source, Some(DateSource::Text));
}

#[test]
fn json_ld_date_in_java_date_string_form_is_read() {
    let doc = extract("java-date-string.html");
    assert_eq!(doc.date, Some(day(2020, 1, 28)));
    assert_eq!(doc.date_source, Some(DateSource::Metadata));
}

#[test]
fn related_article_date_far_below_the_headline_does_not_shift_the_day() {
    let doc = extract("related-date-far-below-headline.html");
    assert_eq!(doc.date, Some(day(2021, 11, 11)));
    assert_eq!(doc.date_source, Some(DateSource::Metadata));
}

#[test]
fn labelled_date_wins_over_a_comment_date_element() {
    let doc = extract("labelled-date-before-comment-date.html");
    assert_eq!(doc.date, Some(day(2022, 2, 3)));
    assert_eq!(doc.date_source, Some(DateSource::Text));
}

#[test]
fn most_frequent_date_is_counted_in_the_article_not_the_navigation() {
    let doc = extract("most-frequent-inside-article.html");
    assert_eq!(doc.date, Some(day(2020, 4, 24)));
    assert_eq!(doc.date_source, Some(DateSource::Text));
}

#[test]
fn rdfa_schema_date_created_on_a_span_is_publication_metadata() {
    let doc = extract("rdfa-date-created.html");
    assert_eq!(doc.date, Some(day(2022, 1, 28)));
    assert_eq!(doc.date_source, Some(DateSource::Metadata));
}

#[test]
fn year_first_dotted_date_in_the_byline_is_read() {
    let doc = extract("year-first-dotted-byline.html");
    assert_eq!(doc.date, Some(day(2023, 11, 2)));
    assert_eq!(doc.date_source, Some(DateSource::Text));
}

#[test]
fn russian_genitive_month_in_the_byline_is_read() {
    let doc = extract("russian-month-byline.html");
    assert_eq!(doc.date, Some(day(2016, 8, 15)));
}

#[test]
fn two_digit_year_in_a_date_element_is_read_but_not_in_running_text() {
    let doc = extract("two-digit-year-date-element.html");
    assert_eq!(doc.date, Some(day(2023, 10, 30)));
}

#[test]
fn test_id_naming_a_date_marks_a_date_element() {
    let doc = extract("test-id-date.html");
    assert_eq!(doc.date, Some(day(2023, 11, 3)));
}

#[test]
fn publication_time_in_a_script_state_object_dates_an_otherwise_undated_page() {
    let doc = extract("script-state-published.html");
    assert_eq!(doc.date, Some(day(2016, 11, 4)));
    assert_eq!(doc.date_source, Some(DateSource::Metadata));
}

#[test]
fn month_named_in_the_url_path_dates_the_page() {
    let doc = extract("month-name-url.html");
    assert_eq!(doc.date, Some(day(2020, 10, 2)));
    assert_eq!(doc.date_source, Some(DateSource::Url));
}

#[test]
fn slash_date_is_day_first_in_british_english_and_month_first_in_american() {
    assert_eq!(
        extract("slash-date-british.html").date,
        Some(day(2020, 10, 2))
    );
    assert_eq!(
        extract("slash-date-american.html").date,
        Some(day(2020, 2, 10))
    );
}

#[test]
fn byline_under_the_headline_wins_over_a_sidebar_time_element() {
    let doc = extract("byline-before-sidebar-time.html");
    assert_eq!(doc.date, Some(day(2023, 10, 31)));
    assert_eq!(doc.date_source, Some(DateSource::Text));
}

#[test]
fn date_set_inside_the_headline_is_not_skipped() {
    let doc = extract("date-inside-headline.html");
    assert_eq!(doc.date, Some(day(2022, 2, 2)));
}

#[test]
fn generic_date_meta_is_not_overruled_by_the_header_today_before_the_headline() {
    let doc = extract("generic-meta-header-today.html");
    assert_eq!(doc.date, Some(day(2017, 5, 1)));
    assert_eq!(doc.date_source, Some(DateSource::Metadata));
}
