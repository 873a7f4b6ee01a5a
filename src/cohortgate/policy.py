"""Every policy number of the project, in one commented place.

Change a number here and nowhere else; each one names who set it and why. Later issues add the
rubric thresholds, k-anonymity, tracking months and the extension cap to this module.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DisclosurePolicy:
    """Small-cell rule for every number that reaches the site (R26, R28)."""

    name: str
    # A count c with 0 < c <= threshold (or 0 <= c when zeros_sensitive) is never published.
    threshold: int
    # Published counts are rounded to the nearest multiple of this (1 = no rounding).
    rounding: int
    # UK LLC suppresses zeros too: "none" can also disclose (everybody in a group shares a trait).
    zeros_sensitive: bool
    # An attacker solving the linear programme over everything published must not narrow a
    # suppressed cell to an interval shorter than this (sdcTable's attack(); sdcMicro's
    # "protection level"). The threshold itself is the natural width: the attacker must not
    # learn more than "it is a small number".
    protection_width: int
    source: str

    def is_small(self, count: int) -> bool:
        if count == 0:
            return self.zeros_sensitive
        return count <= self.threshold

    def round(self, count: int) -> int:
        """Round half up to the nearest multiple of ``rounding`` (OpenSAFELY's rule)."""
        base = self.rounding
        return ((count + base // 2) // base) * base if base > 1 else count

    def rounding_interval(self, published: int) -> tuple[int, int]:
        """The true counts that could have been published as ``published``."""
        base = self.rounding
        if base <= 1:
            return published, published
        low = published - base // 2
        return max(low, 0), low + base - 1


DISCLOSURE_PRESETS: dict[str, DisclosurePolicy] = {
    # OpenSAFELY output checking (docs.opensafely.org/sdc, aligned to "7 or fewer" in 2025):
    # redact any count describing 7 or fewer patients, round all counts to the nearest 5 after
    # redaction, and recompute totals from the published values.
    "opensafely": DisclosurePolicy(
        name="opensafely",
        threshold=7,
        rounding=5,
        zeros_sensitive=False,
        protection_width=7,
        source="OpenSAFELY output-checking rules: redact <= 7, round to nearest 5",
    ),
    # UK Biobank, "Reporting small numbers": minimum of 5 in any public table; no rounding.
    "ukbiobank": DisclosurePolicy(
        name="ukbiobank",
        threshold=4,
        rounding=1,
        zeros_sensitive=False,
        protection_width=5,
        source="UK Biobank public showcase: no cell below 5",
    ),
    # UK LLC trusted research environment: threshold 10 data subjects, zeros included.
    "ukllc": DisclosurePolicy(
        name="ukllc",
        threshold=9,
        rounding=1,
        zeros_sensitive=True,
        protection_width=10,
        source="UK LLC SDC rules: fewer than 10 data subjects, zeros included, are suppressed",
    ),
}

# The catalog's default: the strictest widely-used rule that also rounds.
DEFAULT_DISCLOSURE = "opensafely"

# How many phenotypes (HPO terms) the "top phenotypes" table of a dataset lists.
TOP_PHENOTYPES = 15
# How many genes the gene table lists (the rest are pooled as "other genes").
TOP_GENES = 20

# Pediatric age bands (years, lower bound inclusive, upper exclusive): the neonatal and infant
# periods are separate because many rare diseases present there (R5 generalisation; also used
# by the release code's L2 age banding).
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("<1", 0, 1),
    ("1-4", 1, 5),
    ("5-9", 5, 10),
    ("10-14", 10, 15),
    ("15-17", 15, 18),
    ("18+", 18, 200),
)

# R5 L2 ("identifiers encrypted or generalised"): these record keys are released at L2 only as
# project-specific pseudonyms (UK Biobank gives each project its own participant ids); every
# other direct identifier is withheld below L3. The catalog check 'catalog.level-too-low' and
# the release code read this set.
PSEUDONYMISED_AT_L2: frozenset[str] = frozenset({"patient_id", "visit_id"})

# R19: months of follow-up after delivery, after which the user files the charts and manuscript
# made from the data. R20: extensions by written request, at most this many. The site's process
# page states both through placeholders ({{ policy.TRACKING_MONTHS }} and
# {{ policy.MAX_EXTENSIONS }}), never by value.
TRACKING_MONTHS = 6
MAX_EXTENSIONS = 2
# R19, R20: an approval is released once; a copy lost or damaged may be released again inside
# the access period, with a recorded reason, at most this many times (each a new release with
# its own keys and watermark, judged together with the earlier ones, R28).
MAX_RERELEASES = 2

# R17: the data use agreement's emergency plan: a recipient reports a suspected leak within
# this many hours. Common data-breach practice allows 72 h (GDPR art. 33); the cohort asks for
# less because children's rare-disease data identify whole families (R29).
LEAK_NOTICE_HOURS = 24

# --- applications (issue 3) -------------------------------------------------------------------

# R18: "higher levels (e.g. children's genetic data) only by local database access, remote
# virtual desktop, a safe room, or blockchain-backed access". These four keep the data inside
# the data centre's control (an enclave); values of ``models.application.DeliveryMethod``.
ENCLAVE_DELIVERY: frozenset[str] = frozenset(
    {"local_database", "remote_desktop", "safe_room", "blockchain"}
)
# R18: the delivery methods each privacy level allows. L1 is aggregate data and goes out as a
# report through disclosure control; L2 may also leave by encrypted e-mail, encrypted USB or
# media bound to one computer; L3 (identifiers) only through an enclave. Genetic data at any
# level are delivered as L3 are (R18's own example of a "higher level", R29).
DELIVERY_BY_LEVEL: dict[str, frozenset[str]] = {
    "L1": frozenset({"aggregate_report"}),
    "L2": frozenset({"encrypted_email", "encrypted_usb", "bound_media"}) | ENCLAVE_DELIVERY,
    "L3": ENCLAVE_DELIVERY,
}
# R30: the levels whose release needs the ethics approval of the applicant's institution.
ETHICS_REQUIRED_LEVELS: frozenset[str] = frozenset({"L2", "L3"})

# R3, R12: identity is shown by an institutional e-mail. Public free-mail providers (and their
# subdomains, e.g. vip.163.com) say nothing about the institution and are refused.
FREE_MAIL_DOMAINS: frozenset[str] = frozenset(
    {
        # China
        "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "188.com", "sina.com",
        "sina.cn", "sohu.com", "139.com", "189.cn", "wo.cn", "aliyun.com", "tom.com",
        "21cn.com",
        # international
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
        "yahoo.com", "yahoo.cn", "icloud.com", "me.com", "mac.com", "aol.com",
        "protonmail.com", "proton.me", "gmx.com", "mail.com", "yandex.com",
    }
)  # fmt: skip

# DUO RS 'paediatric' (DUO:0000012 with research_type paediatric): the selection must be
# limited to children, i.e. an age at diagnosis whose upper bound is at most this (years).
PAEDIATRIC_MAX_AGE_YEARS = 18

# The lay summary is for the public register in Chinese: at least this share of its letters
# must be Chinese characters (a few Latin abbreviations such as SMA or DMD are fine).
LAY_SUMMARY_MIN_CJK_SHARE = 0.5

# --- attachments (issue 12) -------------------------------------------------------------------

# Set by the maintainers in issue 12 ("Sign-offs, identities and rules that a determined
# applicant cannot get around"), after a 200 MB "PDF" was accepted and `review` of a 400 MB
# attachment took 851 MB of memory. A protocol or an ethics letter is text with a few figures
# or a scanned letter: a few MB; 20 MB leaves room for scans at 300 dpi and stays well below
# GitHub's 50 MB warning for a single file (R8).
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
# Every reviewed file of one application folder together (the form, the attachments and any
# other file an applicant adds): what each reviewer downloads and each sign-off binds.
APPLICATION_MAX_BYTES = 50 * 1024 * 1024
# `validate` walks every object of a PDF attachment for active content (JavaScript, launch
# actions, embedded files). A document of text and figures holds a few thousand objects; one
# with more than this is refused rather than walked, so that a crafted file cannot make CI spin.
PDF_MAX_OBJECTS = 200_000

# --- intake (issue 14) ------------------------------------------------------------------------

# One document a hospital sends (a phenopacket, a FHIR bundle): a rich published case is about
# 100 KB; 5 MB leaves room for a bundle with many observations and refuses a dump.
INTAKE_MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# A zip export: at most this much once unpacked, this many members, and no member that unpacks
# to more than this many times its packed size (a zip bomb packs gigabytes at ratios of 1,000
# and more; JSON text compresses about 10:1).
INTAKE_MAX_ARCHIVE_BYTES = 2 * 1024 * 1024 * 1024
INTAKE_MAX_MEMBERS = 200_000
INTAKE_MAX_RATIO = 100
