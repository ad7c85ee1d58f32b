/*
 * A handle inherited through fork() (run by ToolsTests, compiled with the sanitizers): the child
 * shares its parent's open file description, lock, process slot and thread slots. Its writes
 * through the inherited handle are refused, and its close frees nothing of the parent's: after
 * the child has closed it, a record the parent keeps open is never taken over, however other
 * writers come and go. Exits 0 when every check holds, else prints the first that failed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "prb.h"
#include "prb_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("failed at line %d: %s\n", __LINE__, #cond);                                    \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static prb_status write_text(prb_ring *ring, const char *text)
{
    return prb_write(ring, text, strlen(text), NULL, NULL);
}

int main(int argc, char **argv)
{
    prb_status status;
    prb_file *parent, *other;
    prb_entry open_record;
    prb_stats stats;
    prb_file_writer writers[8];
    uint32_t slot;
    uint64_t generation;
    size_t count, k;
    pid_t child;
    int child_status;

    CHECK(argc == 2);
    unlink(argv[1]);
    parent = prb_file_create(argv[1], 2, 8, 0, &status);
    CHECK(parent != NULL);
    CHECK(write_text(prb_file_ring(parent), "parent's first") == PRB_OK); /* claims a thread slot */
    CHECK(prb_file_writer_slot(parent, &slot, &generation));

    child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        /* The child: not a writer of its own through what it inherited. */
        if (write_text(prb_file_ring(parent), "child's") != PRB_E_NO_WRITER_SLOT)
            _exit(2);
        prb_file_close(parent);
        _exit(0);
    }
    CHECK(waitpid(child, &child_status, 0) == child);
    CHECK(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0);

    /* The parent's slot is still its own: not marked closed, and held. */
    count = prb_file_list_writers(parent, writers, 8);
    CHECK(count == 1);
    CHECK(writers[0].slot == slot && writers[0].generation == generation);
    CHECK(writers[0].state == PRB_WRITER_ALIVE && !writers[0].closed);

    /* The parent keeps a record open while other writers come and go and fill the ring. */
    CHECK(prb_reserve(prb_file_ring(parent), &open_record, 40, NULL) == PRB_OK);
    CHECK(prb_entry_append(&open_record, "AAAAAAAA", 8) == 8);
    other = prb_file_open(argv[1], PRB_FILE_WRITE, &status);
    CHECK(other != NULL);
    CHECK(write_text(prb_file_ring(other), "other's") == PRB_OK);
    prb_file_close(other);
    other = prb_file_open(argv[1], PRB_FILE_WRITE, &status);
    CHECK(other != NULL);
    for (k = 0; k < 12; k++)
        write_text(prb_file_ring(other), "a survivor's record, written again and again");
    prb_get_stats(prb_file_ring(other), &stats);
    CHECK(stats.taken_over == 0);
    CHECK(prb_entry_append(&open_record, "BBBBBBBB", 8) == 8);
    CHECK(prb_final_commit(&open_record) == PRB_OK);

    /* A ring file never reopens a record (prb_reserve_in_last). */
    {
        prb_entry e;
        prb_meta meta;
        memset(&meta, 0, sizeof meta);
        meta.caller_id = 5;
        CHECK(prb_reserve(prb_file_ring(other), &e, 4, &meta) == PRB_OK);
        prb_entry_append(&e, "last", 4);
        CHECK(prb_commit(&e) == PRB_OK);
        CHECK(prb_reserve_in_last(prb_file_ring(other), &e, 5, 4, 64) == PRB_E_CANNOT_EXTEND);
    }
    prb_file_close(other);
    prb_file_close(parent);
    unlink(argv[1]);
    printf("ok\n");
    return 0;
}
