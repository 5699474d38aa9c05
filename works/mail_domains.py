"""Domains that never count as an institution's e-mail domain: webmail providers and hosts that
give anyone an address or a page. An institution whose homepage lives on one of them
("https://sites.google.com/view/some-lab", "https://some-lab.github.io") would otherwise make
every address or page of that host "institutional", and a code sent to it would prove nothing.

Pure and free of Django, so the sources (which derive an institution's domain from its
homepage) and the claim services (which check an address) apply the same list. The list wins
over every other source of domains, the CLAIM_EMAIL_DOMAINS_EXTRA setting included.
"""

# A domain is shared when it is one of these or a subdomain of one (suffix match).
SHARED_DOMAINS = frozenset(
    {
        # Webmail
        "126.com",
        "163.com",
        "aol.com",
        "daum.net",
        "fastmail.com",
        "foxmail.com",
        "free.fr",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "hanmail.net",
        "hey.com",
        "icloud.com",
        "libero.it",
        "live.com",
        "mac.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "naver.com",
        "orange.fr",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "rediffmail.com",
        "sina.cn",
        "sina.com",
        "sohu.com",
        "t-online.de",
        "tutanota.com",
        "web.de",
        "yeah.net",
        "zoho.com",
        # Hosting, blogs, code forges and profile sites: anyone can have a page there.
        "about.me",
        "academia.edu",
        "blogspot.com",
        "facebook.com",
        "github.com",
        "github.io",
        "gitlab.com",
        "gitlab.io",
        "herokuapp.com",
        "linkedin.com",
        "medium.com",
        "netlify.app",
        "notion.site",
        "pages.dev",
        "researchgate.net",
        "sites.google.com",
        "squarespace.com",
        "substack.com",
        "tumblr.com",
        "twitter.com",
        "vercel.app",
        "weebly.com",
        "wix.com",
        "wixsite.com",
        "wordpress.com",
        "x.com",
    }
)

# Webmail brands with a domain in many countries (yahoo.co.jp, hotmail.fr, outlook.de): the
# brand followed only by short country or category labels is shared.
SHARED_BRANDS = frozenset(
    {"gmail", "googlemail", "hotmail", "outlook", "yahoo", "ymail", "yandex", "rocketmail"}
)


def domain_is_shared(domain: str) -> bool:
    """True for a webmail or hosting domain, or any subdomain of one: "gmail.com",
    "sites.google.com", "lab.github.io", "mail.yahoo.co.jp". "umich.edu" and "google.com" (an
    employer's own domain) are not."""
    domain = domain.strip().strip(".").lower()
    labels = domain.split(".")
    if any(".".join(labels[index:]) in SHARED_DOMAINS for index in range(len(labels))):
        return True
    return any(
        label in SHARED_BRANDS and all(len(rest) <= 3 for rest in labels[index + 1 :])
        for index, label in enumerate(labels[:-1])
    )
