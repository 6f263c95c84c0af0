// SPDX-License-Identifier: GPL-3.0-or-later
// The queue between Janus' transport threads and the plugin's handler thread (issue 12): one
// handle flooding it is refused at its bound, other handles are not, and a drained handle is
// served again.
#include <CUnit/CUnit.h>

#include <cstddef>
#include <optional>
#include <string>
#include <thread>

#include "core/handle_queue.h"
#include "suites.h"

using namespace onair;

namespace {

using Queue = HandleQueue<std::string>;

constexpr HandleId kFlooder = 1;
constexpr HandleId kOther = 2;
constexpr std::size_t kBound = 4;

Queue::Push push(Queue& queue, HandleId handle, std::string item) { return queue.push(handle, item); }

void a_handle_is_refused_at_its_bound() {
    Queue queue(kBound);
    for (std::size_t i = 0; i < kBound; ++i)
        CU_ASSERT(push(queue, kFlooder, "flood " + std::to_string(i)) == Queue::Push::Queued);
    std::string refused = "one too many";
    CU_ASSERT(queue.push(kFlooder, refused) == Queue::Push::Full);
    CU_ASSERT_EQUAL(refused, "one too many");  // left with the caller, who answers it
    CU_ASSERT(push(queue, kOther, "other") == Queue::Push::Queued);
}

void a_drained_handle_is_served_again() {
    Queue queue(kBound);
    for (std::size_t i = 0; i < kBound; ++i)
        push(queue, kFlooder, "flood " + std::to_string(i));
    CU_ASSERT(push(queue, kFlooder, "refused") == Queue::Push::Full);
    push(queue, kOther, "other");
    CU_ASSERT_EQUAL(queue.pop().value_or(""), "flood 0");
    CU_ASSERT(push(queue, kFlooder, "after one") == Queue::Push::Queued);
    CU_ASSERT(push(queue, kFlooder, "refused again") == Queue::Push::Full);
    // Messages come out in the order they were queued, whatever their handle.
    for (const char* expected : {"flood 1", "flood 2", "flood 3", "other", "after one"})
        CU_ASSERT_EQUAL(queue.pop().value_or(""), expected);
    for (std::size_t i = 0; i < kBound; ++i)
        CU_ASSERT(push(queue, kFlooder, "later") == Queue::Push::Queued);
}

void a_closed_queue_takes_nothing() {
    Queue queue(kBound);
    push(queue, kFlooder, "dropped");
    std::optional<std::string> popped = std::string("unset");
    std::thread consumer([&] {
        popped = queue.pop();  // the queued item
        popped = queue.pop();  // blocks until close
    });
    queue.close();
    consumer.join();
    CU_ASSERT_FALSE(popped.has_value());
    CU_ASSERT(push(queue, kOther, "late") == Queue::Push::Closed);
}

CU_TestInfo tests[] = {
    {"a handle is refused at its bound, others are not", a_handle_is_refused_at_its_bound},
    {"a drained handle is served again", a_drained_handle_is_served_again},
    {"a closed queue takes nothing", a_closed_queue_takes_nothing},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_handle_queue_tests() { return add_suite("handle queue", tests); }
