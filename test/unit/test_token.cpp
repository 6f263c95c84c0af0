// SPDX-License-Identifier: GPL-3.0-or-later
// verify_identity against real HS256 tokens made with libjwt.
#include <CUnit/CUnit.h>

#include <cstring>

#include "core/token.h"
#include "fixtures.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

Result<Identity> verify(const std::string& token, const std::string& user = "42",
                        const std::string& name = "") {
    return verify_identity(demo_site(), user, name, token, kNow);
}

// Asserts an Unauthorized failure whose message mentions `why`.
void expect_refused(const Result<Identity>& result, const char* why) {
    CU_ASSERT_FATAL(!result.ok());
    CU_ASSERT_EQUAL(result.error().code, ErrorCode::Unauthorized);
    if (std::strstr(result.error().message.c_str(), why) == nullptr) {
        CU_FAIL("the message does not give the reason");
        std::fprintf(stderr, "\n  '%s' does not mention '%s'\n", result.error().message.c_str(), why);
    }
}

Result<Identity> expect_accepted(Result<Identity> result) {
    if (!result.ok()) {
        std::fprintf(stderr, "\n  refused: %s\n", result.error().message.c_str());
    }
    CU_ASSERT_FATAL(result.ok());
    return result;
}

void valid_token_gives_identity() {
    Result<Identity> identity = expect_accepted(verify(make_token(kSecret, Claims{"42"}), "42", "Anna"));
    CU_ASSERT_EQUAL(identity.value().site, "demo");
    CU_ASSERT_EQUAL(identity.value().user, "42");
    CU_ASSERT_EQUAL(identity.value().name, "Anna");
    CU_ASSERT_FALSE(identity.value().name_verified);  // no name claim: the page's name is self-declared
}

void token_name_claim_wins() {
    Claims claims{"42"};
    claims.name = "Anna Signed";
    Result<Identity> identity = expect_accepted(verify(make_token(kSecret, claims), "42", "Mallory"));
    CU_ASSERT_EQUAL(identity.value().name, "Anna Signed");
    CU_ASSERT_TRUE(identity.value().name_verified);
}

void name_claim_is_cleaned() {
    // A backend that signs whatever its users typed: the claim loses its bidi override and
    // zero-width space, and is cut to 128 characters.
    Claims claims{"42"};
    claims.name = "Anna\u202E rehtom\u200B";
    Result<Identity> identity = expect_accepted(verify(make_token(kSecret, claims), "42", "Mallory"));
    CU_ASSERT_EQUAL(identity.value().name, "Anna rehtom");
    CU_ASSERT_TRUE(identity.value().name_verified);

    claims.name.clear();
    for (int i = 0; i < 130; ++i) {
        claims.name += "я";
    }
    identity = expect_accepted(verify(make_token(kSecret, claims)));
    CU_ASSERT_EQUAL(identity.value().name.size(), 128U * 2);

    // A claim of nothing but hidden characters is no name: the page's name, not verified.
    claims.name = "\u202E\u200B";
    identity = expect_accepted(verify(make_token(kSecret, claims), "42", "Anna"));
    CU_ASSERT_EQUAL(identity.value().name, "Anna");
    CU_ASSERT_FALSE(identity.value().name_verified);
}

void hidden_characters_in_sub_do_not_match() {
    // The request's user id is refused by the parser; a token whose sub differs by a hidden
    // character is another user.
    expect_refused(verify(make_token(kSecret, Claims{"4\u200B2"}), "42"), "another user");
}

void missing_token_refused() { expect_refused(verify(""), "Missing token"); }

void expired_token_refused() {
    Claims claims{"42"};
    claims.exp = kNow - 31;
    expect_refused(verify(make_token(kSecret, claims)), "expired");
}

void expiry_has_thirty_seconds_leeway() {
    Claims claims{"42"};
    claims.exp = kNow - 29;
    expect_accepted(verify(make_token(kSecret, claims)));
    claims.exp = kNow - 30;
    expect_refused(verify(make_token(kSecret, claims)), "expired");
}

void forged_signature_refused() {
    expect_refused(verify(make_token("another-secret-of-16+chars", Claims{"42"})), "signature mismatch");
}

void tampered_payload_refused() {
    // Take a valid token for 42 and splice in the payload of a token for 17.
    const std::string real = make_token(kSecret, Claims{"42"});
    const std::string other = make_token("another-secret-of-16+chars", Claims{"17"});
    const std::string spliced = real.substr(0, real.find('.')) +
                                other.substr(other.find('.'), other.rfind('.') - other.find('.')) +
                                real.substr(real.rfind('.'));
    expect_refused(verify(spliced, "17"), "signature mismatch");
}

void other_site_refused() {
    Claims claims{"42"};
    claims.site = "elsewhere";
    expect_refused(verify(make_token(kSecret, claims)), "another site");
}

void other_user_refused() { expect_refused(verify(make_token(kSecret, Claims{"17"}), "42"), "another user"); }

void alg_none_refused() { expect_refused(verify(make_token("", Claims{"42"}, JWT_ALG_NONE)), "'none'"); }

void other_hmac_alg_refused() {
    expect_refused(verify(make_token(kSecret, Claims{"42"}, JWT_ALG_HS512)), "HS256 only");
}

void garbage_refused() {
    expect_refused(verify("not-a-token"), "malformed");
    expect_refused(verify("a.b.c"), "malformed");
    expect_refused(verify("...."), "malformed");
}

void missing_claims_refused() {
    Claims no_exp{"42"};
    no_exp.with_exp = false;
    expect_refused(verify(make_token(kSecret, no_exp)), "no expiry");
    expect_refused(verify(make_token(kSecret, Claims{""})), "no subject");
    Claims no_site{"42"};
    no_site.site.clear();
    expect_refused(verify(make_token(kSecret, no_site)), "no site");
}

void open_mode_trusts_ids() {
    Site site = demo_site();
    site.identity = IdentityMode::Open;
    Result<Identity> identity = verify_identity(site, "17", "Boris", "garbage", kNow);
    CU_ASSERT_FATAL(identity.ok());
    CU_ASSERT_EQUAL(identity.value().user, "17");
    CU_ASSERT_EQUAL(identity.value().name, "Boris");
    CU_ASSERT_FALSE(identity.value().name_verified);
}

CU_TestInfo tests[] = {
    {"valid token gives the identity", valid_token_gives_identity},
    {"the token's name claim wins", token_name_claim_wins},
    {"the name claim is cleaned and bounded", name_claim_is_cleaned},
    {"a sub with a hidden character is another user", hidden_characters_in_sub_do_not_match},
    {"missing token", missing_token_refused},
    {"expired token", expired_token_refused},
    {"expiry has 30 s leeway", expiry_has_thirty_seconds_leeway},
    {"forged signature", forged_signature_refused},
    {"tampered payload", tampered_payload_refused},
    {"token of another site", other_site_refused},
    {"token of another user", other_user_refused},
    {"alg none", alg_none_refused},
    {"HS512 instead of HS256", other_hmac_alg_refused},
    {"garbage", garbage_refused},
    {"missing claims", missing_claims_refused},
    {"open mode trusts ids", open_mode_trusts_ids},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_token_tests() { return add_suite("tokens", tests); }
