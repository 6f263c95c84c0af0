// SPDX-License-Identifier: GPL-3.0-or-later
// Site validation, the registry and mode names.
#include <CUnit/CUnit.h>

#include <cstring>

#include "base/site.h"
#include "fixtures.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

void valid_site_accepted() { CU_ASSERT(validate_site(demo_site()).ok()); }

void bad_keys_refused() {
    for (const char* key : {"", "has space", "slash/", "ключ", "semi;colon"}) {
        Site site = demo_site();
        site.key = key;
        Status status = validate_site(site);
        CU_ASSERT_FALSE(status.ok());
        if (!status.ok()) {
            CU_ASSERT_EQUAL(status.error().code, ErrorCode::InvalidElement);
        }
    }
    Site longest = demo_site();
    longest.key = std::string(64, 'k');
    CU_ASSERT(validate_site(longest).ok());
    longest.key += 'k';
    CU_ASSERT_FALSE(validate_site(longest).ok());
    Site symbols = demo_site();
    symbols.key = "my-site_2.example";
    CU_ASSERT(validate_site(symbols).ok());
}

void short_secret_refused() {
    Site site = demo_site();
    site.secret = std::string(15, 's');
    Status status = validate_site(site);
    CU_ASSERT_FATAL(!status.ok());
    CU_ASSERT_PTR_NOT_NULL(std::strstr(status.error().message.c_str(), "at least 16"));
    site.secret = std::string(16, 's');
    CU_ASSERT(validate_site(site).ok());
}

void limits_must_be_positive() {
    Site site = demo_site();
    site.max_broadcasts = 0;
    CU_ASSERT_FALSE(validate_site(site).ok());
    site = demo_site();
    site.max_viewers = 0;
    CU_ASSERT_FALSE(validate_site(site).ok());
}

void registry_puts_replaces_and_removes() {
    SiteRegistry registry;
    CU_ASSERT(registry.put(demo_site()).ok());
    Site other = demo_site();
    other.key = "alpha";
    CU_ASSERT(registry.put(other).ok());
    CU_ASSERT_EQUAL(registry.all().size(), 2U);
    CU_ASSERT_EQUAL(registry.all().front()->key, "alpha");  // sorted by key

    Site changed = demo_site();
    changed.max_viewers = 3;
    CU_ASSERT(registry.put(changed).ok());
    CU_ASSERT_EQUAL(registry.all().size(), 2U);
    CU_ASSERT_FATAL(registry.find("demo") != nullptr);
    CU_ASSERT_EQUAL(registry.find("demo")->max_viewers, 3);

    Site invalid = demo_site();
    invalid.secret = "short";
    CU_ASSERT_FALSE(registry.put(invalid).ok());
    CU_ASSERT_EQUAL(registry.find("demo")->secret, kSecret);  // the refused put changed nothing

    CU_ASSERT_TRUE(registry.remove("demo"));
    CU_ASSERT_FALSE(registry.remove("demo"));
    CU_ASSERT_PTR_NULL(registry.find("demo"));
}

void internal_callback_hosts_refused() {
    const auto refused = [](const std::string& url) {
        Site site = demo_site();
        site.callback_url = url;
        CU_ASSERT(validate_site(site).ok());
        Status status = check_callback_host(site, false);
        CU_ASSERT(check_callback_host(site, true).ok());
        return !status.ok() && status.error().code == ErrorCode::InvalidElement &&
               status.error().message.find("allow_private_callbacks") != std::string::npos;
    };
    for (const char* url : {"http://localhost/hook",
                            "http://LOCALHOST.:8080/hook",
                            "https://api.localhost/x",
                            "http://127.0.0.1/",
                            "http://127.1:9000/",
                            "http://2130706433/",
                            "http://0x7f.0.0.1/",
                            "http://0.0.0.0/",
                            "http://10.1.2.3/",
                            "http://172.16.0.1/",
                            "http://172.31.255.255/",
                            "http://192.168.1.1/",
                            "http://100.64.0.1/",
                            "http://169.254.169.254/latest/meta-data",
                            "http://user:pw@10.0.0.1:80/",
                            "http://[::1]/",
                            "http://[::]/",
                            "http://[fe80::1]/",
                            "http://[fd00:ec2::254]/",
                            "http://[fc00::1]/",
                            "http://[::ffff:10.0.0.1]/",
                            "http://[64:ff9b::a9fe:a9fe]/",
                            "http://[ff02::1]/",
                            "http://224.0.0.1/",
                            "http://255.255.255.255/"}) {
        CU_ASSERT(refused(url));
    }
    for (const char* url : {"https://billing.example.com/hook", "http://93.184.216.34/hook",
                            "http://172.32.0.1/", "http://[2001:db8::1]/", "http://[::ffff:93.184.216.34]/",
                            "http://localhost.example.com/", "http://10.example/"}) {
        CU_ASSERT_FALSE(refused(url));
    }
    Site none = demo_site();
    none.callback_url.clear();
    CU_ASSERT(check_callback_host(none, false).ok());
}

void mode_names_round_trip() {
    CU_ASSERT_STRING_EQUAL(to_string(IdentityMode::Signed), "signed");
    CU_ASSERT_STRING_EQUAL(to_string(IdentityMode::Open), "open");
    CU_ASSERT_STRING_EQUAL(to_string(MediaMode::Sfu), "sfu");
    CU_ASSERT(identity_mode_from("open") == IdentityMode::Open);
    CU_ASSERT(identity_mode_from("signed") == IdentityMode::Signed);
    CU_ASSERT_FALSE(identity_mode_from("Signed").has_value());
    CU_ASSERT(media_mode_from("sfu") == MediaMode::Sfu);
    CU_ASSERT(media_mode_from("p2p") == MediaMode::P2p);
    CU_ASSERT(media_mode_from("auto") == MediaMode::Auto);
    CU_ASSERT_STRING_EQUAL(to_string(MediaMode::Auto), "auto");
    CU_ASSERT_FALSE(media_mode_from("mesh").has_value());
}

CU_TestInfo tests[] = {
    {"a valid site", valid_site_accepted},
    {"bad site keys", bad_keys_refused},
    {"short secret", short_secret_refused},
    {"limits must be at least 1", limits_must_be_positive},
    {"registry put, replace, remove", registry_puts_replaces_and_removes},
    {"mode names", mode_names_round_trip},
    {"internal callback hosts refused", internal_callback_hosts_refused},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_site_tests() { return add_suite("sites", tests); }
