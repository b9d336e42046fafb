//! Deterministic synthetic articles for benchmarks and load tests: realistic
//! layouts in every supported format, a Zipf-distributed vocabulary, agency
//! and topic frequencies skewed the way news is (a few agencies in most
//! stories), and dates spread over 2010–2026 with more recent years more
//! common. Article `i` depends only on `(seed, i)`, so a smaller corpus is a
//! prefix of a larger one. Generated data is never committed.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::normalize::Taxonomy;

/// SplitMix64: tiny, fast and good enough for synthetic text.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for article `i` of corpus `seed`.
    pub fn for_item(seed: u64, i: u64) -> Self {
        Rng(seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Cumulative Zipf weights (exponent 1.0) for `n` ranks.
fn zipf_cdf(n: usize, exponent: f64) -> Vec<f64> {
    let mut acc = 0.0;
    let mut cdf: Vec<f64> = (1..=n)
        .map(|rank| {
            acc += 1.0 / (rank as f64).powf(exponent);
            acc
        })
        .collect();
    let total = acc.max(f64::MIN_POSITIVE);
    cdf.iter_mut().for_each(|c| *c /= total);
    cdf
}

fn sample(cdf: &[f64], rng: &mut Rng) -> usize {
    let u = rng.unit();
    cdf.partition_point(|&c| c < u)
        .min(cdf.len().saturating_sub(1))
}

const SYLLABLES: &[&str] = &[
    "ra", "mo", "te", "li", "sa", "ver", "con", "tra", "pol", "dis", "gen", "min", "cor", "tal",
    "den", "por", "sec", "ur", "net", "ven", "ab", "im", "ex", "pre", "ment", "tion", "al", "ic",
];

const COMMON: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "that",
    "is",
    "for",
    "on",
    "with",
    "as",
    "was",
    "by",
    "said",
    "officials",
    "agency",
    "government",
    "security",
    "network",
    "attack",
    "hackers",
    "systems",
    "federal",
    "report",
    "data",
    "threat",
    "policy",
    "law",
    "new",
    "after",
    "also",
    "would",
    "which",
    "their",
    "public",
    "companies",
    "infrastructure",
    "software",
    "warned",
];

/// What the generator draws from.
#[derive(Debug)]
pub struct Generator {
    seed: u64,
    words: Vec<String>,
    word_cdf: Vec<f64>,
    agencies: Vec<(String, String)>,
    agency_cdf: Vec<f64>,
    topics: Vec<Vec<String>>,
    topic_cdf: Vec<f64>,
    countries: Vec<String>,
    country_cdf: Vec<f64>,
}

/// One synthetic article.
#[derive(Debug, Clone)]
pub struct Article {
    /// Title.
    pub title: String,
    /// Paragraphs.
    pub paragraphs: Vec<String>,
    /// Publication date.
    pub date: chrono::NaiveDate,
    /// Author.
    pub author: String,
    /// Outlet.
    pub source: String,
}

const SOURCES: &[&str] = &[
    "Policy Wire",
    "The Cyber Ledger",
    "Capitol Security Brief",
    "Euro Cyber Digest",
    "Pacific Threat Review",
];
const REGIONS: &[&str] = &["Americas", "Europe", "Asia", "Middle East", "Global"];
const SECTIONS: &[&str] = &["Policy", "Security", "Content", "Analysis"];

impl Generator {
    /// A generator using the taxonomy's agencies, countries and topic terms.
    pub fn new(seed: u64, taxonomy: &Taxonomy) -> Self {
        let mut words: Vec<String> = COMMON.iter().map(|s| s.to_string()).collect();
        let mut rng = Rng::for_item(seed, u64::MAX);
        while words.len() < 20_000 {
            let n = 2 + rng.below(3);
            let w: String = (0..n)
                .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
                .collect();
            words.push(w);
        }
        let agencies: Vec<(String, String)> = taxonomy
            .agencies()
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    a.full_name.clone().unwrap_or_else(|| a.name.clone()),
                )
            })
            .collect();
        let topics: Vec<Vec<String>> = taxonomy
            .topics()
            .iter()
            .map(|t| {
                t.terms
                    .keys()
                    .map(|k| k.trim_end_matches('*').to_string())
                    .collect()
            })
            .collect();
        let countries: Vec<String> = taxonomy
            .countries()
            .iter()
            .map(|c| c.name.clone())
            .collect();
        Generator {
            seed,
            word_cdf: zipf_cdf(words.len(), 1.0),
            words,
            agency_cdf: zipf_cdf(agencies.len(), 1.2),
            agencies,
            topic_cdf: zipf_cdf(topics.len(), 0.8),
            topics,
            country_cdf: zipf_cdf(countries.len(), 1.1),
            countries,
        }
    }

    fn sentence(&self, rng: &mut Rng, extra: &[String]) -> String {
        let n = 8 + rng.below(18);
        let mut words: Vec<String> = (0..n)
            .map(|_| self.words[sample(&self.word_cdf, rng)].clone())
            .collect();
        for e in extra {
            let at = rng.below(words.len() + 1);
            words.insert(at, e.clone());
        }
        let mut s = words.join(" ");
        if let Some(first) = s.get(..1) {
            s = first.to_uppercase() + &s[1..];
        }
        s.push('.');
        s
    }

    /// Article `i`: its text depends only on the seed and `i`.
    pub fn article(&self, i: u64) -> Article {
        let mut rng = Rng::for_item(self.seed, i);
        let topic = &self.topics[sample(&self.topic_cdf, &mut rng)];
        let agency_count = 1 + rng.below(3);
        let agencies: Vec<&(String, String)> = (0..agency_count)
            .map(|_| &self.agencies[sample(&self.agency_cdf, &mut rng)])
            .collect();
        let country = &self.countries[sample(&self.country_cdf, &mut rng)];
        let year = 2010 + (16.0 * rng.unit().sqrt()) as i32;
        let date = chrono::NaiveDate::from_yo_opt(year, 1 + rng.below(365) as u32)
            .unwrap_or(chrono::NaiveDate::MIN);
        let term = |rng: &mut Rng| topic[rng.below(topic.len())].clone();
        let title = format!(
            "{} {} {} {}",
            agencies[0].0,
            [
                "warns of",
                "targets",
                "responds to",
                "details",
                "sanctions over"
            ][rng.below(5)],
            term(&mut rng),
            ["campaign", "risk", "rules", "threat", "plan"][rng.below(5)]
        );
        let paragraphs = (0..5 + rng.below(8))
            .map(|p| {
                let sentences = 2 + rng.below(4);
                (0..sentences)
                    .map(|s| {
                        let mut extra = Vec::new();
                        if s == 0 {
                            extra.push(term(&mut rng));
                        }
                        if p == 0 && s == 0 {
                            extra.push(format!("the {}", agencies[0].1));
                            extra.push(country.clone());
                        } else if rng.below(4) == 0 {
                            extra.push(agencies[rng.below(agencies.len())].0.clone());
                        }
                        self.sentence(&mut rng, &extra)
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let first = [
            "Alex", "Sam", "Jordan", "Priya", "Chen", "Maria", "Omar", "Lena",
        ];
        let last = [
            "Moreno", "Carter", "Nair", "Okafor", "Schmidt", "Tanaka", "Rossi", "Lee",
        ];
        Article {
            title,
            paragraphs,
            date,
            author: format!(
                "{} {}",
                first[rng.below(first.len())],
                last[rng.below(last.len())]
            ),
            source: SOURCES[rng.below(SOURCES.len())].to_string(),
        }
    }

    /// The seed-layout plain text of an article.
    pub fn as_text(&self, i: u64, a: &Article) -> String {
        let mut rng = Rng::for_item(self.seed ^ 1, i);
        format!(
            "{}, {}\n\n{}\n\n{}\n\n{}\n\n{} writes about cyber policy for {}.\n",
            REGIONS[rng.below(REGIONS.len())],
            SECTIONS[rng.below(SECTIONS.len())],
            a.title,
            a.paragraphs.join("\n\n"),
            a.author,
            a.author,
            a.source
        )
    }
}

/// How many articles go into one multi-article file.
const PER_FILE: usize = 50;

/// Writes `n` articles under `out`: about 70% seed-layout text in
/// `text/<source>/<year>/<month>/`, the rest as Markdown, HTML, JSON arrays,
/// JSON Lines and RSS feeds. Returns the number of files written.
pub fn write_corpus(out: &Path, n: u64, seed: u64, taxonomy: &Taxonomy) -> std::io::Result<usize> {
    let generator = Generator::new(seed, taxonomy);
    let mut files = 0usize;
    let mut pending: [Vec<(u64, Article)>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for i in 0..n {
        let a = generator.article(i);
        let slug = format!("a{i:07}");
        let source_dir = a.source.to_lowercase().replace(' ', "-");
        match i % 20 {
            0..=13 => {
                let dir = out
                    .join("text")
                    .join(&source_dir)
                    .join(a.date.format("%Y/%m").to_string());
                write_file(
                    &dir.join(format!("{slug}.txt")),
                    generator.as_text(i, &a).as_bytes(),
                )?;
                files += 1;
            }
            14 => {
                let body = a.paragraphs.join("\n\n");
                let md = format!(
                    "---\ntitle: \"{}\"\ndate: {}\nauthor: {}\nsource: {}\ntags: [policy]\n---\n\n{body}\n",
                    a.title, a.date, a.author, a.source
                );
                write_file(
                    &out.join("markdown").join(format!("{slug}.md")),
                    md.as_bytes(),
                )?;
                files += 1;
            }
            15 => {
                let paras: String = a
                    .paragraphs
                    .iter()
                    .map(|p| format!("<p>{p}</p>\n"))
                    .collect();
                let html = format!(
                    "<!DOCTYPE html><html lang=\"en\"><head><title>{t} | {s}</title><meta property=\"og:site_name\" content=\"{s}\"><meta property=\"article:published_time\" content=\"{d}T09:00:00Z\"><meta name=\"author\" content=\"{au}\"></head><body><nav><a href=\"/\">Home</a> <a href=\"/policy\">Policy</a></nav><div class=\"cookie\">We use cookies.</div><article><h1>{t}</h1>\n{paras}</article><aside><h3>Related</h3><ul><li><a href=\"/x\">More coverage</a></li></ul></aside><footer>Copyright {s}</footer></body></html>",
                    t = a.title, s = a.source, d = a.date, au = a.author
                );
                write_file(
                    &out.join("html").join(format!("{slug}.html")),
                    html.as_bytes(),
                )?;
                files += 1;
            }
            16 | 17 => pending[0].push((i, a)),
            18 => pending[1].push((i, a)),
            _ => pending[2].push((i, a)),
        }
        for (kind, batch) in pending.iter_mut().enumerate() {
            if batch.len() >= PER_FILE || (i + 1 == n && !batch.is_empty()) {
                write_batch(out, kind, std::mem::take(batch))?;
                files += 1;
            }
        }
    }
    Ok(files)
}

fn write_batch(out: &Path, kind: usize, batch: Vec<(u64, Article)>) -> std::io::Result<()> {
    let first = batch.first().map_or(0, |(i, _)| *i);
    let json = |a: &Article, i: u64| {
        serde_json::json!({
            "title": a.title, "body": a.paragraphs.join("\n\n"), "date": a.date.to_string(),
            "author": a.author, "source": a.source, "url": format!("https://synthetic.example/{i}"),
        })
    };
    match kind {
        0 => {
            let items: Vec<serde_json::Value> = batch.iter().map(|(i, a)| json(a, *i)).collect();
            let text = serde_json::to_string(&items).map_err(std::io::Error::other)?;
            write_file(
                &out.join("json").join(format!("batch-{first:07}.json")),
                text.as_bytes(),
            )
        }
        1 => {
            let mut text = String::new();
            for (i, a) in &batch {
                text.push_str(&json(a, *i).to_string());
                text.push('\n');
            }
            write_file(
                &out.join("jsonl").join(format!("batch-{first:07}.jsonl")),
                text.as_bytes(),
            )
        }
        _ => {
            let mut rss = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Synthetic Feed</title>\n");
            for (i, a) in &batch {
                let body: String = a
                    .paragraphs
                    .iter()
                    .map(|p| format!("&lt;p&gt;{p}&lt;/p&gt;"))
                    .collect();
                let date = a
                    .date
                    .and_hms_opt(9, 0, 0)
                    .map(|d| d.and_utc().to_rfc2822())
                    .unwrap_or_default();
                rss.push_str(&format!(
                    "<item><title>{}</title><link>https://synthetic.example/{i}</link><pubDate>{date}</pubDate><description>{body}</description></item>\n",
                    a.title
                ));
            }
            rss.push_str("</channel></rss>\n");
            write_file(
                &out.join("feeds").join(format!("batch-{first:07}.rss")),
                rss.as_bytes(),
            )
        }
    }
}

fn write_file(path: &PathBuf, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_depend_only_on_seed_and_index() {
        let t = Taxonomy::builtin().expect("taxonomy");
        let g = Generator::new(7, &t);
        let a = g.article(42);
        assert_eq!(a.title, g.article(42).title);
        assert_ne!(a.title, Generator::new(8, &t).article(42).title);
        assert!(!t
            .tag(&a.title, &a.paragraphs.join("\n\n"), "")
            .agencies
            .is_empty());
    }
}
