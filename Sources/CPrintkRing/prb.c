/*
 * prb.c - a lockless, multi-writer ring buffer for log records, after the Linux kernel's printk
 * ringbuffer (designed by John Ogness with Petr Mladek, Linux 5.10, with the later fixes up to
 * 2025). This is our own userspace implementation of that design in C11 atomics; read
 * prb.h for the API and the guarantees. This comment tells the algorithm.
 *
 * 1. The two rings
 * ================
 *
 * A ring is two rings that work together:
 *
 *   descriptor ring: 2^desc_bits descriptors, each {state_var, blk.begin, blk.next}, plus
 *                    parallel arrays of infos (seq, timestamp, text length, caller id, level,
 *                    facility, flags) and of device-info strings (unless the ring was formatted
 *                    with PRB_RING_NO_DEV_INFO). One descriptor per record.
 *   data ring:       2^data_bits bytes of text blocks. A block starts with the id of the
 *                    descriptor that owns it, followed by the text. The descriptor's
 *                    blk.begin/blk.next say where its block is; a block does not know its size.
 *
 *   descriptor ring                                   data ring (logical positions, "lpos")
 *   +------+------+------+------+------+             +----+-----------+----+--------+--------+
 *   | id 5 | id 6 | id 7 | id 4 | ...  |             | 6  | text of 6 | 7  | text 7 | (free) |
 *   +------+------+------+------+------+             +----+-----------+----+--------+--------+
 *      ^tail_id       ^head_id                       ^tail_lpos                     ^head_lpos
 *
 * Both rings are consumed from the head and reclaimed at the tail. Ids and lpos only ever grow
 * (modulo 2^62 and 2^64); the index into the array is their low bits and the high bits count
 * the wraps, which is what defeats ABA: a descriptor id names one use of one slot, an lpos one
 * position in one wrap of the data array. Both start just below their overflow point
 * (DESC0_ID, BLK0_LPOS) so that the wrap-around arithmetic runs in every test, not after 2^62
 * records.
 *
 * A record's descriptor is found from its seq alone: seq and id advance together, so
 * seq % count is the slot. A reader confirms that the slot really holds that seq.
 *
 * 2. Record states
 * ================
 *
 * The top two bits of state_var hold the state, the other 62 the id, so a state change and the
 * id it applies to are one compare-and-swap:
 *
 *   reserved  (0)  a writer owns the record and is filling it.      set by: desc_reserve,
 *                                                                    desc_reopen_last
 *   committed (1)  filled and consistent, but the same writer may
 *                  still extend it (prb_reserve_in_last); readers
 *                  do not see it yet (in panic mode they do).        set by: _prb_commit
 *                                                                    (prb_commit)
 *   finalized (2)  final: readers see it, nobody changes it.        set by: _prb_commit
 *                                                                    (prb_final_commit),
 *                                                                    desc_make_final
 *   reusable  (3)  its slot and data may be recycled; its data is   set by: desc_make_reusable
 *                  no longer trustworthy.
 *   miss     (-1)  never stored: the slot holds a different id.
 *
 * A committed record becomes finalized in one of three ways: its writer calls
 * prb_final_commit; the next reservation finalizes its predecessor (only the newest record can
 * be extended); or prb_commit finalizes its own record when it sees that a newer one exists.
 *
 * 3. Writing
 * ==========
 *
 * prb_reserve:  desc_reserve() claims the next id by moving head_id forward, pushing the tail
 *               first if the ring is full (desc_push_tail, which needs the tail record to be
 *               finalized or reusable, and first pushes the data tail past that record's block).
 *               Then data_alloc() moves head_lpos forward by the block size, pushing the data
 *               tail past whatever blocks the new one will cover (data_push_tail; it makes each
 *               covered record reusable, and fails if one of them is still reserved or committed).
 *               If a block does not fit before the end of the array, only the id is written at
 *               the old position and the whole block is placed at index 0 of the next wrap
 *               ("wrapping block"); a block that ends exactly at the end of the array does not
 *               wrap (the 2025 perfect-fit rule).
 *
 *                   wrap w                                     wrap w+1
 *                   | ...      [id]...wasted...|   ->   [id][text.......]   ...
 *                               ^begin                                  ^next
 *
 * prb_commit / prb_final_commit: one compare-and-swap reserved -> committed / finalized.
 *
 * Failure never waits. With no descriptor to take, prb_reserve fails and counts it. With a
 * descriptor but no data space, the record is committed without data (blk = FAILED_LPOS) and
 * readers see a lost record, i.e. a gap.
 *
 * A block, header included, may use at most half of the data ring. A wrapping block consumes
 * its own size plus the wasted end of the previous wrap; the half-size limit keeps that below
 * one whole ring, which the distance arithmetic (need_more_space) relies on.
 *
 * 4. Reading
 * ==========
 *
 * Readers write nothing shared. To read seq: take the id in slot seq % count, read the
 * descriptor (state, blk, seq) as a seqlock reader would (desc_read: state, copy, re-check
 * state), copy info and text with relaxed loads, then read the descriptor again. Only if the
 * record is still finalized (or reusable: then it is reported lost) with the same id and seq is
 * the copy trusted. A record recycled during the copy shows up in the re-check, never as torn
 * data. A reader in panic mode also reads committed records (as the kernel's panic CPU does),
 * and checks the slot's reopen count around its copy: a committed record may be reopened and
 * re-committed under it with the same state word (read_record).
 *
 * 5. Memory ordering
 * ==================
 *
 * Every ordering site carries the kernel's label, LMM(function:letter), at the access, with
 * the sites it pairs with. The pairs (C11 mapping in brackets):
 *
 *   P1  desc_reserve:D -> desc_reserve:A   tail pushed before head; whoever reads the new head
 *                                          reads a tail at least as new   [release CAS / acquire]
 *   P2  desc_reserve:F -> data_push_tail:B data tail pushed before a recycled descriptor is marked
 *                                          reserved; whoever saw the new state sees the new tail
 *                                          [release store / desc_read acquire + fence(acquire)]
 *   P3  desc_reserve:F -> desc_push_tail:C the same, for the descriptor tail  [release store /
 *                                          desc_read acquire; the kernel's fence at C is not
 *                                          needed here, see desc_push_tail]
 *   P4  desc_reserve:F -> prb_first_seq:C  the same, for readers looking for the first seq
 *                                          [as P3; the fence at C is kept for bounded progress]
 *   P5  desc_reserve:G -> desc_read:D      seqlock: a recycled descriptor is marked reserved
 *                                          before any of its fields change; a reader that copied a
 *                                          changed field sees the change of state on its re-check
 *                                          [fence(release) / fence(acquire)]
 *   P6  data_alloc:A -> desc_read:D        an old record is reusable before its data is
 *                                          overwritten; a reader that copied new text sees the old
 *                                          record reusable on its re-check  [fence(release) /
 *                                          fence(acquire)] (data_realloc:A plays the same part)
 *   P7  data_alloc:A -> data_push_tail:B   the data tail moves before new block ids are written;
 *                                          whoever read a new id at an old position sees the new
 *                                          tail  [fence(release) / relaxed id load, then
 *                                          fence(acquire) when the walk fails]
 *   P8  _prb_commit:B -> desc_read:A       text and info are written before the record is
 *                                          committed/finalized  [seq_cst CAS (release) / acquire]
 *   P9  desc_reopen_last:A -> _prb_commit:B a reopened record's data is what its last commit
 *                                          published  [acquire CAS / release part of the commit]
 *   P10 _prb_commit:B + prb_commit:A  <->  desc_reserve:D + desc_make_final:A
 *                                          store buffering: the committer stores its state then
 *                                          loads head; the reserver stores head then loads (CAS)
 *                                          the predecessor's state. At least one must see the
 *                                          other, or a record would stay committed forever.
 *                                          All four accesses are seq_cst, so they lie in one total
 *                                          order S; whichever store comes first in S is seen by
 *                                          the other side's later load. (No fences needed; on x86
 *                                          and arm64 this costs nothing over acquire/release.)
 *   P11 data_push_tail:D -> data_push_tail:A  records are reusable before the data tail moves past
 *                                          them  [release CAS / acquire load; also at
 *                                          data_push_tail:C]
 *   P12 desc_push_tail:B -> desc_reserve:C a descriptor is reusable before the descriptor tail moves
 *                                          past it  [release CAS / acquire load]
 *   P13 desc_update_last_finalized:A -> desc_last_finalized_seq:A  the finalized prefix is
 *                                          published  [release CAS / relaxed load, then the
 *                                          fence(acquire) at desc_read:D before anything is
 *                                          decided about those records]
 *   P14 desc_reopen_last:B,C -> read_record:A,B  a reopen is counted before it changes the
 *                                          record: a panic-mode reader of a committed record that
 *                                          copied anything a reopen wrote, or read its count
 *                                          first, sees a count other than the one it began with
 *                                          [release store + fence(release) / acquire load, and
 *                                          desc_read:D's fence(acquire) before a relaxed load]
 *
 * Text and info are read by readers while a writer may be recycling them, so every such word is
 * an atomic accessed with relaxed order (the seqlock pattern); there is no data race in the C11
 * model and nothing for ThreadSanitizer to forgive. All shared accesses go through
 * prb_atomics.h, which lets a memory-model checker run this very file.
 *
 * 6. Memory we did not write: the bound of every loop
 * ====================================================
 *
 * The region may be shared with a process that damages it (prb.h, "Hostile memory"). Indices are
 * masked (desc_word, info_word, dev_word by id or seq; data words by data_index), block
 * positions are checked by get_data before a byte is read and by the data-tail walk before it is
 * followed, and the writer's own positions come from data_alloc (aligned head, block inside one
 * wrap or moved to index 0). What remains is that no loop may run forever on damaged values.
 * Each loop either (a) repeats only when a word changed between two of its loads, which takes a
 * store by someone else each time (on a region nobody writes it runs at most twice: the same as
 * contention, and lock-free like it), or (b) steps over values read from the region, and then
 * its bound is:
 *
 *   desc_read             (a): its state word at A and E differs.
 *   prb_first_seq         (a) on a sound ring, where each round reads a newer tail or a newer
 *                         state word (see its fence C). Two rounds that read the same tail and
 *                         the same state word are damage: it answers the seq the tail id implies
 *                         (first_seq_of_damaged_tail), as it does for a tail record whose seq
 *                         is not its id's.
 *   read_valid            (b): each round moves *seq forward; a lost record is one whose slot
 *                         holds exactly that seq, so at most desc_count in a row in a region
 *                         nobody writes; the panic skip starts at most one ring behind the head
 *                         and ends at the head (desc_count skips). Live: only over records that
 *                         existed.
 *   prb_next_seq          (b): read_valid's walk, from a cache it checks against the head.
 *   desc_update_last_finalized  inner walk (b) as read_valid's (one slot per probed seq); outer
 *                         loop (a): its CAS failed.
 *   data_make_reusable    (b): each step goes to a descriptor whose block begins where the walk
 *                         stands (checked), strictly forward and less than one ring, so no
 *                         descriptor twice: at most desc_count steps.
 *   data_push_tail        (a): the tail changed (a failed walk from an unchanged tail returns
 *                         false), or its CAS failed.
 *   desc_reserve, data_alloc  (a): their CAS on the head failed.
 *   desc_push_tail, data_realloc, desc_reopen_last, prb_reserve_in_last: no loop of their own.
 *   text_store, text_load, the text move in data_realloc: as long as the block, whose size
 *                         get_data (or data_alloc) checked against the ring.
 *
 * Records are checked too: read_record refuses a slot whose id is not the seq's (a damaged info
 * word could otherwise pass a record off as a seq beyond 2^62, and a reader's next seq would
 * wrap to 0), and prb_first_seq a tail record whose seq is not its id's.
 *
 * None of these checks adds an ordering. The write path gains one mask (data_alloc's alignment
 * check) and loses a load (the seq is computed from the id); the damage tests in the loops run
 * only where a sound ring would loop again anyway; the readers gain one relaxed load
 * (prb_next_seq's check of its cache against the head, whose failure only costs a longer walk).
 * docs/VERIFICATION.md ("Hostile memory") lists each change of a shared access.
 *
 * 7. Differences from the kernel, and why
 * =======================================
 *
 *   - Ids are 62 bits and lpos 64 bits on every platform (the kernel uses unsigned long).
 *     Because seq and id advance together, prb_next_reserve_seq() is head_id - DESC0_ID
 *     directly (valid for 2^62 records) instead of being derived from the last finalized seq.
 *   - text_len is 32 bits (the kernel's is 16), so records may be as large as half the ring.
 *   - The maximum text size is half the data ring minus the block header, and readers check
 *     blocks against exactly the same limit (the kernel's 2025 limit was applied to the text by
 *     writers but to text + header by readers).
 *   - A record's seq is computed from its id (seq_of_id) rather than from its slot's previous
 *     seq: the same value, one load fewer, and a damaged info word cannot shift the seqs of the
 *     records its slot holds later. Readers check a tail record's seq against its id.
 *   - A record that got a seq but no data space is final-committed at once (the kernel commits
 *     it and lets the next reservation finalize it); a failed extension of an empty record leaves
 *     it empty rather than turning it into a lost record.
 *   - No interrupts to disable: a writer that is preempted between reserve and commit is the
 *     ordinary userspace case of a stuck writer, and is handled like one.
 *   - The write path is cheaper in five places (the finalization load before its CAS, a store
 *     instead of a CAS at desc_reserve:F and at a final commit, device info kept apart, a lazier
 *     last_finalized_seq), and twelve orderings are weaker than the kernel's barriers or than a
 *     plain C11 translation (an acquire standing in for an address dependency) because another
 *     acquire on the same path already orders them. Each is argued at its site; the README's
 *     "Where we depart from the kernel" and docs/VERIFICATION.md list them with the evidence.
 */

#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L /* clock_gettime, posix_memalign */
#endif

#include "prb_testing.h" /* and with it prb.h: prb.c implements both */
#include "prb_atomics.h"
#include "prb_recovery.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Failure paths (and rings with recovery) only: kept out of line, so that the write path around
   their calls stays as short as without them. */
#if defined(__GNUC__) || defined(__clang__)
#define PRB_COLD __attribute__((noinline, cold))
#define PRB_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define PRB_INLINE inline __attribute__((always_inline))
#define PRB_NOINLINE __attribute__((noinline))
#else
#define PRB_COLD
#define PRB_UNLIKELY(x) (x)
#define PRB_INLINE inline
#define PRB_NOINLINE
#endif

/* ---------------------------------------------------------------------------------------------
 * Region layout. Everything is a 64-bit word; offsets are in words.
 * ------------------------------------------------------------------------------------------- */

enum {
    /* Header: 8 cache lines; the fields that writers modify each get a line of their own. */
    HDR_WORDS = 64,
    H_MAGIC = 0,
    H_VERSION = 1,
    H_DESC_BITS = 2,
    H_DATA_BITS = 3,
    H_BYTES = 4,
    H_FLAGS = 5, /* the layout flags (PRB_RING_NO_DEV_INFO); 0 in regions formatted before them */
    H_HEAD_ID = 8,
    H_TAIL_ID = 16,
    H_DATA_HEAD = 24,
    H_DATA_TAIL = 32,
    H_LAST_FINALIZED = 40,
    H_FAILED_DESC = 48,
    /* The seqs of the latest take-overs, for readers to give a gap its reason
       (prb_lost_reason_of): TAKEN_MARK | seq, 0 while unused. Zero in regions formatted before
       them, which read as "no take-over remembered". */
    H_RECENT_TAKEN = 49,
    RECENT_TAKEN = PRB_RECENT_TAKE_OVERS,
    H_FAILED_DATA = 56,
    H_TAKEN_OVER = 60, /* failure-path counters share the last lines */

    /* Descriptor: state_var, blk.begin, blk.next, and the slot's reopen count (how often
       prb_reserve_in_last reopened a record of this slot: lets a panic-mode reader tell a record
       re-committed under its copy from one that never changed; see read_record). */
    DESC_WORDS = 4,
    D_STATE = 0,
    D_BEGIN = 1,
    D_NEXT = 2,
    D_REOPENS = 3,

    /* Info: seq, timestamp, (caller_id << 32 | text_len),
       (has-device-info << 32 | flags << 16 | facility << 8 | level). */
    INFO_WORDS = 4,
    I_SEQ = 0,
    I_TIMESTAMP = 1,
    I_CALLER_LEN = 2,
    I_LEVEL = 3,

    /* Device info, in an array of its own: 16 bytes of subsystem and 48 bytes of device name.
       Most records have none; keeping it apart (and writing it only when a record has some, which
       the I_LEVEL word says) keeps a record's hot metadata to 32 bytes, half a cache line, where
       zeroing 64 bytes of strings on every reservation used to cost a line of its own. A ring
       formatted with PRB_RING_NO_DEV_INFO has no such array (the data ring follows the infos). */
    DEV_WORDS = 8,

    WORD = 8
};

#define PRB_MAGIC UINT64_C(0x31676e6972627270) /* "prbring1" in little-endian bytes */
#define PRB_LAYOUT_VERSION 2

#define ID_BITS 62
#define TAKEN_MARK (UINT64_C(1) << 63) /* a remembered take-over's seq (H_RECENT_TAKEN) */
#define ID_MASK ((UINT64_C(1) << ID_BITS) - 1)

/* Special lpos values for records without a data block. Real block positions are multiples of
   8, so bit 0 tells them apart. */
#define LPOS_FAILED UINT64_C(0x1) /* the record has no data: allocation failed; reads as lost */
#define LPOS_EMPTY UINT64_C(0x3)  /* the record is legitimately empty; reads as "" */

struct prb_ring {
    prb_aword *words; /* the region */
    prb_aword *hdr;
    prb_aword *descs;
    prb_aword *infos;
    prb_aword *devs; /* NULL in a ring without device-info storage (PRB_RING_NO_DEV_INFO) */
    prb_aword *data;
    uint64_t desc_count; /* 2^desc_bits */
    uint64_t data_size;  /* 2^data_bits bytes */
    /* Derived once, so that the write path does not recompute them per access: */
    uint64_t desc_mask;  /* desc_count - 1 */
    uint64_t data_mask;  /* data_size - 1 */
    uint64_t finalized_stride_mask; /* desc_note_finalized: refresh when (id & mask) == 0 */
    unsigned desc_bits;
    unsigned data_bits;
    unsigned flags; /* the layout flags the region was formatted with */
    size_t bytes;
    void *owned; /* the region, when prb_ring_create allocated it */
    prb_fault_hook fault_hook; /* NULL unless a test or the panic benchmark installed one */
    void *fault_context;
    /* A fault hook or recovery is set, or the handle is read-only: prb_reserve takes its
       out-of-line copy, which handles all three (one test on the write path for the three; the
       in-process copy has none of them). Kept by set_reserve_path(). */
    bool reserve_out_of_line;
    bool read_only; /* prb_ring_attach_read_only: every writing entry point refuses at once */
    /* Dead-writer recovery (prb_recovery.h, docs/RECOVERY.md): NULL ops unless enabled. */
    const prb_recovery_ops *rec_ops;
    void *rec_context;
    prb_aword *rec_slots;
    uint32_t rec_slot_count;
};

/* Which copy of reserve() prb_reserve takes (prb_ring.reserve_out_of_line). */
static void set_reserve_path(prb_ring *r)
{
    r->reserve_out_of_line = r->rec_ops != NULL || r->fault_hook != NULL || r->read_only;
}

/* Lets a fault hook freeze the writer at `point`. */
static inline void fault_point(const prb_ring *r, prb_fault_point point, const prb_entry *e)
{
    if (r->fault_hook != NULL)
        r->fault_hook(r->fault_context, point, e);
}

/* ---------------------------------------------------------------------------------------------
 * Ids, states and positions
 * ------------------------------------------------------------------------------------------- */

static inline uint64_t desc_id(uint64_t v) { return v & ID_MASK; }

static inline uint64_t make_sv(uint64_t id, prb_desc_state state)
{
    return ((uint64_t)state << ID_BITS) | desc_id(id);
}

/* The state of record `id` as seen in state word `sv`: miss if the slot holds another id. */
static inline prb_desc_state state_of(uint64_t id, uint64_t sv)
{
    if (desc_id(sv) != id)
        return PRB_DESC_MISS;
    return (prb_desc_state)(sv >> ID_BITS);
}

/* Works for ids and seqs alike: both advance one per record. */
static inline uint64_t desc_index(const prb_ring *r, uint64_t n) { return n & r->desc_mask; }

/* The id that used the same slot one wrap earlier. */
static inline uint64_t id_prev_wrap(const prb_ring *r, uint64_t id) { return desc_id(id - r->desc_count); }

/* The bootstrap descriptor's id: last slot, and the ids overflow on the second wrap. */
static inline uint64_t desc0_id(const prb_ring *r) { return desc_id(UINT64_C(0) - (r->desc_count + 1)); }

/*
 * The seq of record `id`: seq and id advance together, seq 0 being id DESC0_ID + 1 (valid for the
 * first 2^62 records). The writer assigns it (prb_reserve), and prb_first_seq checks a tail's seq
 * against it, so that a damaged info word can neither shift a slot's later seqs nor send readers
 * to a seq that no record ever had.
 */
static inline uint64_t seq_of_id(const prb_ring *r, uint64_t id) { return desc_id(id - desc0_id(r) - 1); }

/*
 * Is `id` one of the first desc_count ids ever handed out, i.e. its slot's first use? Only then may
 * a state word of 0 mean "never used": later, 0 is also the word of id 0 while it is reserved.
 */
static inline bool in_first_wrap(const prb_ring *r, uint64_t id)
{
    return desc_id(id - desc0_id(r) - 1) < r->desc_count;
}

static inline prb_aword *hdr_word(const prb_ring *r, unsigned k) { return &r->hdr[k]; }

static inline prb_aword *desc_word(const prb_ring *r, uint64_t id_or_seq, unsigned k)
{
    return &r->descs[desc_index(r, id_or_seq) * DESC_WORDS + k];
}

static inline prb_aword *info_word(const prb_ring *r, uint64_t id_or_seq, unsigned k)
{
    return &r->infos[desc_index(r, id_or_seq) * INFO_WORDS + k];
}

static inline prb_aword *dev_word(const prb_ring *r, uint64_t id_or_seq, unsigned k)
{
    return &r->devs[desc_index(r, id_or_seq) * DEV_WORDS + k];
}

/* I_LEVEL: the record carries device info (prb_entry_set_dev_info was called). */
#define LEVEL_HAS_DEV (UINT64_C(1) << 32)

static inline bool lpos_dataless(uint64_t lpos) { return (lpos & 1) != 0; }
static inline uint64_t data_index(const prb_ring *r, uint64_t lpos) { return lpos & r->data_mask; }
static inline uint64_t data_wraps(const prb_ring *r, uint64_t lpos) { return lpos >> r->data_bits; }
static inline uint64_t this_wrap_start(const prb_ring *r, uint64_t lpos) { return lpos & ~r->data_mask; }

/* Block size for `text` bytes of text: header word plus text, rounded up to a word. */
static inline uint64_t to_blk_size(uint64_t text) { return (text + WORD + (WORD - 1)) & ~(uint64_t)(WORD - 1); }

static inline uint64_t max_blk_size(const prb_ring *r) { return r->data_size / 2; }

/*
 * Does the region [.., target) reach beyond `cur`, i.e. is target - cur in (0, data_size]?
 * False when cur is already at or past target; also false when they are more than a whole
 * ring apart, which means another writer already moved cur on (a race, not a need).
 */
static inline bool need_more_space(const prb_ring *r, uint64_t cur, uint64_t target)
{
    return target - cur - 1 < r->data_size;
}

/* A block wraps if its last byte is in a later wrap than its first (so a block ending exactly at
   the end of the array does not wrap). */
static inline bool is_blk_wrapped(const prb_ring *r, uint64_t begin, uint64_t next)
{
    return data_wraps(r, begin) != data_wraps(r, next - 1);
}

/* Where a block of `size` bytes starting at `lpos` ends: at lpos + size, or, if that wraps, at
   size bytes into the next wrap. */
static inline uint64_t get_next_lpos(const prb_ring *r, uint64_t lpos, uint64_t size)
{
    uint64_t next = lpos + size;
    if (!is_blk_wrapped(r, lpos, next))
        return next;
    return this_wrap_start(r, next) + size;
}

/* ---------------------------------------------------------------------------------------------
 * Text copies: word by word through the atomics layer (relaxed: the seqlock data).
 *
 * A block's text is contiguous in the data array (a block that would wrap is placed whole at
 * index 0), so a copy is one run of words: at most a partial first word, whole words, at most a
 * partial last word. The partial words are handled once, outside the loop, so that the loop over
 * whole words checks nothing per word: a relaxed atomic store or load of an aligned word compiles
 * to a plain move, and the compiler unrolls the loop (about two moves per word and a counter
 * step per few words).
 * ------------------------------------------------------------------------------------------- */

/* Copies n < 8 bytes with fixed-size moves (a variable-length memcpy would be a library call). */
static inline void copy_short(unsigned char *dst, const unsigned char *src, size_t n)
{
    if (n & 4) {
        memcpy(dst, src, 4);
        dst += 4;
        src += 4;
    }
    if (n & 2) {
        memcpy(dst, src, 2);
        dst += 2;
        src += 2;
    }
    if (n & 1)
        *dst = *src;
}

/*
 * Writer: store `len` bytes at byte `offset` of the text that starts at data word `first`. The
 * writer owns the block, so the read-modify-write of a partly written first word races only with
 * readers (who validate their copy afterwards). A partial last word is stored zero-padded: the
 * bytes after the text are no text, and the next append, if any, merges into that word.
 */
static void text_store(const prb_ring *r, uint64_t first, uint64_t offset, const unsigned char *src, size_t len)
{
    prb_aword *dst = &r->data[first + offset / WORD];
    size_t in_word = (size_t)(offset % WORD);
    size_t words, k;

    if (in_word != 0) {
        size_t n = WORD - in_word < len ? WORD - in_word : len;
        uint64_t head = prb_load(dst, PRB_MO_RELAXED);
        copy_short((unsigned char *)&head + in_word, src, n);
        prb_store(dst, head, PRB_MO_RELAXED);
        dst++;
        src += n;
        len -= n;
    }
    words = len / WORD;
    for (k = 0; k < words; k++) {
        uint64_t word;
        memcpy(&word, src + k * WORD, WORD);
        prb_store(&dst[k], word, PRB_MO_RELAXED);
    }
    if (len % WORD != 0) {
        uint64_t tail = 0;
        copy_short((unsigned char *)&tail, src + words * WORD, len % WORD);
        prb_store(&dst[words], tail, PRB_MO_RELAXED);
    }
}

/* Reader: copy `len` bytes of the text starting at data word `first`. */
static void text_load(const prb_ring *r, uint64_t first, size_t len, unsigned char *dst)
{
    const prb_aword *src = &r->data[first];
    size_t words = len / WORD, k;

    for (k = 0; k < words; k++) {
        uint64_t word = prb_load(&src[k], PRB_MO_RELAXED);
        memcpy(dst + k * WORD, &word, WORD);
    }
    if (len % WORD != 0) {
        uint64_t tail = prb_load(&src[words], PRB_MO_RELAXED);
        copy_short(dst + words * WORD, (const unsigned char *)&tail, len % WORD);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Reading a descriptor
 * ------------------------------------------------------------------------------------------- */

typedef struct desc_copy {
    uint64_t state_var;
    uint64_t begin;
    uint64_t next;
} desc_copy;

/*
 * Reads the state of record `id` and, if it is committed or later, a consistent copy of its
 * block positions, seq and caller id: state, copy, state again (a seqlock read). The returned
 * state is the one read at A, and the copies belong to it: if the state word changed while we
 * copied (the record was finalized, made reusable, reopened or recycled under us), we read
 * again. That loop is lock-free: every retry means another writer made progress. Changes nothing.
 *
 * Why the state word must be the same at A and E, not merely a readable state at E: a committed
 * record may be reopened, grown (its block can move) and committed again, then finalized by the
 * next reservation. A copy begun under "committed" and checked under "finalized" would mix the
 * old block with the new text length, and it would not be ordered after the second commit.
 * With A == E the copies were made after A, and A (acquire) read the latest commit's state.
 */
static prb_desc_state desc_read(const prb_ring *r, uint64_t id, desc_copy *d, uint64_t *seq_out,
                                uint32_t *caller_out, uint64_t *sv_out)
{
    /* The slot's words addressed once: the compiler would reload the geometry from the handle
       after every atomic load. */
    prb_aword *desc = desc_word(r, id, 0);
    prb_aword *info = info_word(r, id, 0);
    prb_aword *sv_word = &desc[D_STATE];
    uint64_t sv;
    prb_desc_state state;

    for (;;) {
        if (d != NULL) {
            d->begin = 0;
            d->next = 0;
        }

        /*
         * LMM(desc_read:A) acquire. Pairs with _prb_commit:B (P8): reading committed or finalized
         * state, we also read the text and info written before it. Pairs with desc_reserve:F (P2,
         * P3, P4): reading a newly reserved state, our later tail loads see the tail pushes made
         * before it. The acquire also serves as LMM(desc_read:B): the copies below stay after it.
         */
        sv = prb_load(sv_word, PRB_MO_LOAD(desc_read_A, PRB_MO_ACQUIRE));
        state = state_of(id, sv);
        if (state == PRB_DESC_MISS || state == PRB_DESC_RESERVED)
            break; /* only the state word means anything yet */

        /* LMM(desc_read:C) relaxed copies: the writer may be recycling these words right now. */
        if (d != NULL) {
            d->begin = prb_load(&desc[D_BEGIN], PRB_MO_RELAXED);
            d->next = prb_load(&desc[D_NEXT], PRB_MO_RELAXED);
        }
        if (seq_out != NULL)
            *seq_out = prb_load(&info[I_SEQ], PRB_MO_RELAXED);
        if (caller_out != NULL)
            *caller_out = (uint32_t)(prb_load(&info[I_CALLER_LEN], PRB_MO_RELAXED) >> 32);

        /*
         * LMM(desc_read:D) fence(acquire): every load above (and, in the re-check after a record
         * copy, the text and info loads before this call) happens before the re-read at E. Pairs
         * with desc_reserve:G (P5) and data_alloc:A / data_realloc:A (P6): if any copied word was
         * written by a writer recycling this descriptor or its data, E sees that the record changed.
         */
        PRB_FENCE(desc_read_D, PRB_MO_ACQUIRE);

        /* LMM(desc_read:E) relaxed: ordered by the fence at D. Unchanged: the copies are good. */
        if (prb_load(sv_word, PRB_MO_RELAXED) == sv)
            break;
    }
    if (d != NULL)
        d->state_var = sv;
    if (sv_out != NULL)
        *sv_out = sv;
    return state;
}

/*
 * Is record `seq` (held by descriptor `id`) there for readers? NOT_YET: not finalized (in panic
 * mode: not committed or finalized), or the slot holds another seq. LOST: it existed but has no
 * data (reusable, or failed allocation).
 *
 * Panic mode, as the kernel's panic CPU does since Linux 6.8 ("Consider committed as finalized in
 * panic"): a committed record is consistent (its writer committed everything it wrote) and may be
 * the last hint at what went wrong, so it is readable. Unlike a finalized record it may still be
 * reopened and extended by its writer (prb_reserve_in_last), and re-committed with the very same
 * state word: read_record checks the slot's reopen count around its copy for that.
 */
static prb_read_status desc_read_finalized_seq(const prb_ring *r, uint64_t id, uint64_t seq, desc_copy *d,
                                               bool panic_mode)
{
    desc_copy local;
    uint64_t s = 0;
    prb_desc_state state;

    if (d == NULL)
        d = &local;
    state = desc_read(r, id, d, &s, NULL, NULL);
    /* Reusable: lost, whatever the other words say (a record taken over from a dead writer may
       never have had its seq stored; the caller has checked that id is seq's). */
    if (state == PRB_DESC_REUSABLE)
        return PRB_READ_LOST;
    if (state == PRB_DESC_MISS || state == PRB_DESC_RESERVED || (state == PRB_DESC_COMMITTED && !panic_mode) ||
        s != seq)
        return PRB_READ_NOT_YET;
    if (d->begin == LPOS_FAILED && d->next == LPOS_FAILED)
        return PRB_READ_LOST;
    return PRB_READ_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Transitions done by any writer on another writer's record
 * ------------------------------------------------------------------------------------------- */

/* Out of line (it runs for one record in 64): inlined, its walk would make every finalization
   set up a large stack frame. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void desc_update_last_finalized(const prb_ring *r);

/*
 * How often a finalization refreshes last_finalized_seq: when the finalized record's descriptor
 * id is a multiple of the stride. The kernel refreshes it on every finalization, which costs a
 * walk over the newest records and a compare-and-swap on a line every writer shares, per record.
 * It is only a cache (prb_next_seq walks forward from it), so refreshing it every 64th record
 * keeps prb_next_seq's walk short (about 64 records plus those in flight) at a fraction of the
 * cost. Small rings (under 256 descriptors) use a quarter of the ring, so that the cache never
 * lags by a large part of it; a 4-descriptor ring (the model checker's) refreshes every time.
 */
#define LAST_FINALIZED_STRIDE_MAX 64

/* A record was just finalized: refresh the finalized-prefix cache if it is this record's turn.
   Inline, so that the 63 records of 64 whose turn it is not cost a mask and a branch. */
static inline void desc_note_finalized(const prb_ring *r, uint64_t id)
{
    if ((id & r->finalized_stride_mask) == 0)
        desc_update_last_finalized(r);
}

/* The mask desc_note_finalized tests: stride - 1, or 0 (every time) for a stride of 1 or less. */
static uint64_t finalized_stride_mask(uint64_t desc_count)
{
    uint64_t stride = desc_count / 4;

    if (stride > LAST_FINALIZED_STRIDE_MAX)
        stride = LAST_FINALIZED_STRIDE_MAX;
    return stride <= 1 ? 0 : stride - 1;
}

/* finalized -> reusable (any writer pushing a tail), given the record's state word. */
static void desc_make_reusable_at(prb_aword *sv_word, uint64_t id)
{
    uint64_t expected = make_sv(id, PRB_DESC_FINALIZED);

    /*
     * LMM(desc_make_reusable:A) relaxed: nothing is published by this change itself. The tail
     * push that follows (data_push_tail:D or desc_push_tail:B, both release) publishes it to
     * whoever sees the new tail. A failed CAS means another writer did it already.
     */
    prb_cas(sv_word, &expected, make_sv(id, PRB_DESC_REUSABLE), PRB_MO_RELAXED, PRB_MO_RELAXED);
}

/* finalized -> reusable (any writer pushing a tail). */
static void desc_make_reusable(const prb_ring *r, uint64_t id)
{
    desc_make_reusable_at(desc_word(r, id, D_STATE), id);
}

/* committed -> finalized (the next reservation, or the committer seeing a newer record). */
static void desc_make_final(const prb_ring *r, uint64_t id)
{
    prb_aword *sv_word = desc_word(r, id, D_STATE);
    uint64_t expected = make_sv(id, PRB_DESC_COMMITTED);

    /*
     * LMM(desc_make_final:A) seq_cst load: the reserver's load in the store-buffering pair P10
     * (desc_reserve:D before it, against _prb_commit:B and prb_commit:A). Either this load sees
     * the commit, or the committer's load at prb_commit:A sees our new head and finalizes itself.
     *
     * The kernel does the compare-and-swap straight away; we look first, because on the hot path
     * (records written with a final commit) the previous record is already finalized and a
     * failing CAS would still cost a locked instruction on every reservation.
     */
    if (prb_load(sv_word, PRB_MO_LOAD(desc_make_final_A, PRB_MO_SEQ_CST)) != expected)
        return;

    /*
     * LMM(desc_make_final:B) CAS committed -> finalized, relaxed: the transition publishes nothing
     * of its own. A reader that acquires the finalized state still synchronizes with the commit
     * (_prb_commit:B, a release), because this read-modify-write continues that commit's release
     * sequence. Failure: the owner reopened the record or another writer finalized it first.
     */
    if (prb_cas(sv_word, &expected, make_sv(id, PRB_DESC_FINALIZED), PRB_MO_RELAXED,
                PRB_MO_RELAXED))
        desc_note_finalized(r, id);
}

/* ---------------------------------------------------------------------------------------------
 * The data ring: pushing its tail, allocating blocks
 * ------------------------------------------------------------------------------------------- */

/*
 * How much further than it must a tail push goes: the slack. The kernel pushes each tail exactly
 * as far as the new record needs, so once the ring is full every reservation pushes both tails:
 * a call, a walk step and a compare-and-swap on a line every writer shares, per record and per
 * tail. A push that goes on a little (a 64th of the ring, at most PRB_TAIL_SLACK_MAX records
 * beyond its target, so that no reservation walks far) lets the next reservations find room
 * without touching the tail. The records it frees early are the oldest ones, which the next
 * reservations would overwrite anyway: the ring keeps all but the slack's worth of its records
 * readable. A record that cannot be freed yet (not finalized) simply ends the slack part of a
 * push; only the part up to the target can fail.
 */
#ifndef PRB_TAIL_SLACK_SHIFT
#define PRB_TAIL_SLACK_SHIFT 6
#endif
#ifndef PRB_TAIL_SLACK_MAX
#define PRB_TAIL_SLACK_MAX 16
#endif

/* The data ring's slack in bytes. */
static inline uint64_t data_slack(const prb_ring *r) { return r->data_size >> PRB_TAIL_SLACK_SHIFT; }

/*
 * data_make_reusable() - makes the blocks from lpos_begin on reusable, walking block by block:
 * the block's header names its descriptor, whose blk.next names the following block. The walk
 * must get to lpos_end and may go on up to lpos_limit (the slack; lpos_limit == lpos_end for
 * none), passing at most PRB_TAIL_SLACK_MAX more blocks, each ending at or before lpos_limit.
 * It stops at a block whose record is still reserved or committed, or whose header no longer
 * names a descriptor pointing back at it (the area was reallocated meanwhile): before lpos_end
 * that is a failure, after it simply the end of the walk.
 * Transition: finalized -> reusable for each record whose block it passes.
 *
 * Context: any writer pushing the data tail; never waits.
 * Return: true if the walk got to lpos_end; *lpos_out is where it ended (at or past lpos_end),
 * or on failure the block that stopped it.
 */
static bool data_make_reusable(const prb_ring *r, uint64_t lpos_begin, uint64_t lpos_end, uint64_t lpos_limit,
                               uint64_t *lpos_out)
{
    unsigned extra = PRB_TAIL_SLACK_MAX;
    prb_desc_state state;
    prb_aword *sv_word;
    bool in_slack;
    desc_copy d;
    uint64_t id;

    while (need_more_space(r, lpos_begin, lpos_limit)) {
        in_slack = !need_more_space(r, lpos_begin, lpos_end);
        if (in_slack && extra-- == 0)
            break;
        /*
         * LMM(data_make_reusable:A) relaxed, where the kernel relies on an address dependency.
         * The id may be garbage if the area was reallocated; desc_read and the blk.begin check
         * below catch that. P7 (a walk stopped by a newer block id sees the tail push made before
         * that id was stored) needs no acquire here: the walk then fails, and the fence(acquire)
         * at data_push_tail:B, after this load, pairs with data_alloc:A's fence(release). That
         * fence runs only when a walk fails; an acquire here would run for every block walked.
         * (docs/VERIFICATION.md: with this load relaxed, removing that fence is caught.) A walk
         * step that succeeds needs nothing from this load: desc_read:A acquires the finalized or
         * reusable state, i.e. synchronizes with the commit, which came after the id store.
         */
        id = prb_load(&r->data[data_index(r, lpos_begin) / WORD], PRB_MO_LOAD(data_make_reusable_A, PRB_MO_RELAXED));

        /* LMM(data_make_reusable:B); the slot addressed once for desc_read and the CAS below. */
        sv_word = desc_word(r, id, D_STATE);
        state = desc_read(r, id, &d, NULL, NULL, NULL);
        /* In the slack, only a block that ends within it: what a push frees early is bounded by
           the slack in bytes, whatever the size of the blocks (a small ring frees none early). */
        if (in_slack && d.next - lpos_begin > lpos_limit - lpos_begin)
            break;
        switch (state) {
        case PRB_DESC_MISS:
        case PRB_DESC_RESERVED:
        case PRB_DESC_COMMITTED:
            goto stopped;
        case PRB_DESC_FINALIZED:
            if (d.begin != lpos_begin)
                goto stopped;
            desc_make_reusable_at(sv_word, id);
            break;
        case PRB_DESC_REUSABLE:
            if (d.begin != lpos_begin)
                goto stopped;
            break;
        }
        /* A block ends after it starts and within one ring: anything else means damaged memory
           (a region shared with another process), and the walk must not follow it. */
        if (lpos_dataless(d.next) || d.next - lpos_begin - 1 >= r->data_size)
            goto stopped;
        lpos_begin = d.next;
    }
stopped:
    /* Where the walk ended: at or past lpos_end, or at the block that stops it (which
       recover_blocked_data examines). Whether it got to lpos_end is this comparison also when the
       loop ran out: a damaged tail just under a ring behind lpos_end, within the slack's width,
       would skip the walk and pass for a push that got there (found in review: the interleaving
       replay slack_damaged_tail). */
    *lpos_out = lpos_begin;
    return !need_more_space(r, lpos_begin, lpos_end);
}

/*
 * data_push_tail() - moves the data tail to at least `lpos`, and on towards `lpos_limit` (the
 * slack: see PRB_TAIL_SLACK_SHIFT; lpos_limit == lpos for none), making the records whose blocks
 * it passes reusable. Transition: data tail -> at or past lpos.
 *
 * Context: any writer; never waits (the walk is bounded by the ring).
 * Return: true if the tail is at or past `lpos`; false if a block before it belongs to a record
 * that is still being written.
 */
static bool data_push_tail(const prb_ring *r, uint64_t lpos, uint64_t lpos_limit)
{
    prb_aword *tail_word = hdr_word(r, H_DATA_TAIL);
    uint64_t tail, next, again;

    if (lpos_dataless(lpos))
        return true;

    /*
     * LMM(data_push_tail:A) acquire. Pairs with data_push_tail:D (P11): the records made
     * reusable before that tail push are seen reusable here, so that the area this writer is about
     * to overwrite belongs to nobody (needed by P6).
     */
    tail = prb_load(tail_word, PRB_MO_LOAD(data_push_tail_A, PRB_MO_ACQUIRE));

    while (need_more_space(r, tail, lpos)) {
        if (!data_make_reusable(r, tail, lpos, lpos_limit, &next)) {
            /*
             * LMM(data_push_tail:B) fence(acquire). Pairs with desc_reserve:F (P2) and data_alloc:A's
             * fence (P7): if the walk failed because it read a newer state or a newer block id
             * (data_make_reusable:A, a relaxed load), the writer that stored it had already pushed
             * the tail, and C sees that. It is the only acquire on the block-id path (P7); for a
             * newer state (P2), desc_read:A's acquire would already be enough.
             */
            PRB_FENCE(data_push_tail_B, PRB_MO_ACQUIRE);

            /*
             * LMM(data_push_tail:C) acquire: if the tail moved, we go on from the new value and
             * may end up writing into the area it freed, so we need P11 for it as for A.
             */
            again = prb_load(tail_word, PRB_MO_LOAD(data_push_tail_C, PRB_MO_ACQUIRE));
            if (again == tail)
                return false; /* a block really is in use */
            tail = again;
            continue;
        }

        /*
         * LMM(data_push_tail:D) release: publishes the records made reusable above before the
         * new tail (P11). No acquire half (the kernel's cmpxchg is a full barrier), although on
         * failure we go on from the value another writer pushed, unlike A and C: we only get
         * here after a walk that succeeded from `tail` to at least `lpos`, and the new value lies
         * past `tail` (tails only move forward): either before `lpos`, in the range we walked,
         * and we go on from there, or at or past `lpos` (possibly past where our walk ended:
         * another push with a slack), and we are done. So every
         * record our caller overwrites lies below the last tail we acquired (at A or C: P11), or
         * in a range we have walked successfully since then, reading each record finalized or
         * reusable (desc_read:A, synchronizing with its commit) and then reading or writing
         * reusable or a later state. A reader that copies our caller's bytes is ordered after
         * those accesses (data_alloc:A's or data_realloc:A's fence), so its re-check reads a state
         * other than the one it copied under (coherence, P6). On success the CAS, a
         * read-modify-write, continues the release sequence of the push it read, so P11 holds for
         * whoever acquires our tail.
         */
        if (prb_cas(tail_word, &tail, next, PRB_MO(data_push_tail_D, PRB_MO_RELEASE),
                    PRB_MO_LOAD(data_push_tail_D, PRB_MO_RELAXED)))
            break;
    }
    return true;
}

/*
 * How far data_alloc lets a push go (data_push_tail): `target` plus the slack, but never past
 * `head`, where the block being allocated starts (nothing beyond it is a block yet).
 */
static inline uint64_t data_slack_limit(const prb_ring *r, uint64_t target, uint64_t head)
{
    uint64_t slack = data_slack(r), room = head - target;

    return target + (slack < room ? slack : room);
}

/* Stores a record's block positions (the writer owns the descriptor; readers copy them). */
static void desc_store_blk(const prb_ring *r, uint64_t id, uint64_t begin, uint64_t next)
{
    prb_store(desc_word(r, id, D_BEGIN), begin, PRB_MO_RELAXED);
    prb_store(desc_word(r, id, D_NEXT), next, PRB_MO_RELAXED);
}

/*
 * data_alloc() - allocates a block for `size` bytes of text to record `id` (reserved by the
 * caller, through entry e): pushes the data tail far enough, moves the data head, writes the block
 * header. size 0 gives an empty record without a block.
 * @intent: the writer's thread slot (rings with recovery), else NULL. Its data intent names the
 * block before each attempt to move the head, so that a survivor can pass the block if this
 * writer dies before anything else names it (recover_unnamed_block).
 *
 * Context: the write path; inlined into both copies of reserve(), so the in-process ring's has
 * no trace of the intent.
 * Return: true, and through *text_word the data word where the text starts; false if there is no
 * room (the record then has FAILED positions: it will read as lost).
 */
static bool recover_blocked_data(const prb_ring *r, uint64_t lpos);

static PRB_INLINE bool data_alloc(const prb_ring *r, prb_entry *e, uint64_t id, uint64_t size, prb_aword *intent,
                                  uint64_t *text_word)
{
    prb_aword *head_word = hdr_word(r, H_DATA_HEAD);
    uint64_t blk_size, begin, next, target, first;
    prb_aword *desc;

    *text_word = 0;
    if (size == 0) {
        desc_store_blk(r, id, LPOS_EMPTY, LPOS_EMPTY);
        return true;
    }

    blk_size = to_blk_size(size);
    /* The data intent's size, ordered before its begin by that store's release (data_alloc:I). */
    if (intent != NULL)
        prb_store(&intent[PRB_TS_DATA_SIZE], blk_size, PRB_MO_RELAXED);
    /*
     * Acquire, as at a failed CAS below: pairs with data_alloc:A (the data ring's twin of P1).
     * Whoever moved the head to `begin` had pushed the tail to at least begin - data_size first,
     * so data_push_tail below starts from a tail at most one ring behind. (From a tail more than a
     * ring behind, need_more_space would wrongly conclude that no push is needed.)
     */
    begin = prb_load(head_word, PRB_MO_LOAD(data_alloc_head, PRB_MO_ACQUIRE));
    do {
        next = get_next_lpos(r, begin, blk_size);
        /* A head that is not a block position (damaged memory) gives no block: a mask. */
        target = next - r->data_size;
        if (next - begin > r->data_size || (begin % WORD) != 0 ||
            (!data_push_tail(r, target, data_slack_limit(r, target, begin)) &&
             !(recover_blocked_data(r, target) && data_push_tail(r, target, target)))) {
            /* No block is ours: a data intent left naming one that another writer took would
               keep survivors waiting on us (recover_unnamed_block) until our commit clears it.
               LMM(data_alloc:J) release, as data_alloc:I: a later value of the data intent. */
            if (intent != NULL)
                prb_store(&intent[PRB_TS_DATA_BEGIN], PRB_TS_NO_BLOCK, PRB_MO(data_alloc_J, PRB_MO_RELEASE));
            desc_store_blk(r, id, LPOS_FAILED, LPOS_FAILED);
            return false;
        }
        /*
         * LMM(data_alloc:I) release: the data intent, in this writer's own thread slot (rings with
         * recovery only). The release half of the CAS at A orders it (and the size stored above)
         * before the head move, so a survivor that acquires a data head past `begin`
         * (recover_unnamed_block:A) reads this intent or a later one of the same slot. Its own
         * release pairs with recover_unnamed_block:C: a survivor that reads a later begin than
         * one naming a block it examines sees everything this writer did before, that block's
         * header included (if the block was ours).
         */
        if (intent != NULL)
            prb_store(&intent[PRB_TS_DATA_BEGIN], begin, PRB_MO(data_alloc_I, PRB_MO_RELEASE));
        /*
         * LMM(data_alloc:A) acq_rel: the release publishes our tail push with the new head (see the
         * acquire above), and the data intent; on failure, acquire the newer head for the same
         * reason. (The acquire half on success is only there because C11 wants it at least as
         * strong as the failure.)
         */
        if (prb_cas(head_word, &begin, next, PRB_MO(data_alloc_A, PRB_MO_ACQ_REL),
                    PRB_MO_LOAD(data_alloc_A, PRB_MO_ACQUIRE)))
            break;
        /* Lost: the block is another writer's. Our data intent must stop naming it before
           anything slow (the next tail push may make system calls): a survivor finding a dead
           loser's intent and a dead winner's at one position with different sizes cannot tell
           which end is right (recover_unnamed_block). Release, as J. */
        if (intent != NULL) {
            fault_point(r, PRB_FAULT_DATA_HEAD_LOST, e);
            prb_store(&intent[PRB_TS_DATA_BEGIN], PRB_TS_NO_BLOCK, PRB_MO(data_alloc_J, PRB_MO_RELEASE));
        }
    } while (true);
    if (intent != NULL)
        fault_point(r, PRB_FAULT_DATA_HEAD_MOVED, e);

    /*
     * LMM(data_alloc:A) fence(release): the data tail as this writer pushed or saw it (with the
     * records it passed, reusable) is ordered before every store into the new block. Pairs with
     * desc_read:D (P6: a reader that copied our text sees the old record reusable) and with
     * data_push_tail:B (P7: a writer that read our block id sees the tail that made it ours).
     */
    PRB_FENCE(data_alloc_A_fence, PRB_MO_RELEASE);

    /*
     * The block's positions in the descriptor first, then LMM(data_alloc:B) the block header (the
     * owner's id). Nobody reads either before the commit but the data-tail walk, which reads the
     * header and then, through the descriptor, the positions: in this order a header that names
     * us always comes with positions that name the block, also if this writer dies in between,
     * which a dead-writer take-over relies on (docs/RECOVERY.md).
     */
    desc = desc_word(r, id, 0); /* addressed once: see desc_read */
    prb_store(&desc[D_BEGIN], begin, PRB_MO_RELAXED);
    prb_store(&desc[D_NEXT], next, PRB_MO_RELAXED);
    if (intent != NULL)
        fault_point(r, PRB_FAULT_DATA_POSITIONS, e);
    first = data_index(r, begin) / WORD;
    prb_store(&r->data[first], id, PRB_MO_RELAXED);
    if (next - begin != blk_size) { /* wrapped (get_next_lpos): is_blk_wrapped, cheaper */
        /* The whole block goes to index 0 of the next wrap; its id is stored there too, for
           consistency (the ring itself only ever reads the header at `begin`). */
        prb_store(&r->data[0], id, PRB_MO_RELAXED);
        first = 0;
    }
    *text_word = first + 1;
    return true;
}

/*
 * Grows the block of record `id` (reopened by the caller) to hold `size` bytes of text. Only the
 * newest block can grow: its end must still be the data head. If the grown block has to wrap,
 * it moves to index 0 and the text already written moves with it. Blocks never shrink.
 */
static bool data_realloc(const prb_ring *r, uint64_t id, uint64_t size, uint64_t begin, uint64_t old_next,
                         uint64_t *text_word)
{
    prb_aword *head_word = hdr_word(r, H_DATA_HEAD);
    uint64_t head, blk_size, next, first, k, old_words;
    bool was_wrapped = is_blk_wrapped(r, begin, old_next);

    /*
     * Relaxed, unlike the head load in data_alloc. Positions never repeat, so the head can equal
     * our block's end only if its last move was this block's allocation or growth, and the
     * writer that made it (after pushing the tail) then committed the record (release). Every
     * later reopen of the record acquired the commit before it (desc_reopen_last:A, P9) and ended
     * in a commit of its own, so that chain of reopens and commits, ending with our caller's
     * reopen, carries the tail push behind this head to us: data_push_tail:A reads a tail at most
     * one ring behind it.
     */
    head = prb_load(head_word, PRB_MO_LOAD(data_realloc_head, PRB_MO_RELAXED));
    if (head != old_next)
        return false; /* a newer block follows ours */

    blk_size = to_blk_size(size);
    next = get_next_lpos(r, begin, blk_size);
    first = was_wrapped ? 0 : data_index(r, begin) / WORD;

    if (!need_more_space(r, head, next)) {
        *text_word = first + 1; /* already large enough */
        return true;
    }
    if (next - begin > r->data_size || !data_push_tail(r, next - r->data_size, next - r->data_size))
        return false;

    /*
     * LMM(data_realloc:A) release CAS (the tail pushed above is published with the new head, as at
     * data_alloc:A), then the same fence(release). No acquire half, unlike data_alloc:A: on success
     * the CAS reads the head we already know (see above), and on failure we give up rather than
     * continue from the newer head.
     */
    if (!prb_cas(head_word, &head, next, PRB_MO(data_realloc_A, PRB_MO_RELEASE),
                 PRB_MO_LOAD(data_realloc_A, PRB_MO_RELAXED)))
        return false;
    PRB_FENCE(data_realloc_A_fence, PRB_MO_RELEASE);

    if (is_blk_wrapped(r, begin, next)) {
        prb_store(&r->data[0], id, PRB_MO_RELAXED);
        if (!was_wrapped) {
            /* Move the text written so far from behind the header at `begin` to index 0. The
               areas cannot overlap: a wrapping block starts past the middle of the array. */
            old_words = (old_next - begin) / WORD - 1;
            for (k = 0; k < old_words; k++)
                prb_store(&r->data[1 + k], prb_load(&r->data[first + 1 + k], PRB_MO_RELAXED), PRB_MO_RELAXED);
        }
        first = 0;
    }
    prb_store(desc_word(r, id, D_NEXT), next, PRB_MO_RELAXED);
    *text_word = first + 1;
    return true;
}

/* ---------------------------------------------------------------------------------------------
 * The descriptor ring: pushing its tail, reserving
 * ------------------------------------------------------------------------------------------- */

/* The descriptor ring's slack in records (PRB_TAIL_SLACK_SHIFT). */
static inline unsigned desc_slack(const prb_ring *r)
{
    uint64_t slack = r->desc_count >> PRB_TAIL_SLACK_SHIFT;

    return slack < PRB_TAIL_SLACK_MAX ? (unsigned)slack : PRB_TAIL_SLACK_MAX;
}

/*
 * desc_pass_slack() - desc_push_tail may pass record `id` (read in `state`, finalized or
 * reusable, with positions *d) and stand on the next one: see how many more records it may pass
 * with it, up to the slack. Each record passed must be finalized or reusable, have its block (if
 * any) behind the data tail already (read for each record: desc_pass_slack:A; this pass pushes
 * nothing), and be followed by a finalized or reusable record, where the tail would stand.
 * Transition: finalized -> reusable for each record it lets the tail pass (the tail itself moves
 * in the caller, after this).
 *
 * Context: desc_push_tail; never waits, at most desc_slack() records.
 * Return: where the tail may stand: `id`, or a finalized or reusable record after it.
 */
static uint64_t desc_pass_slack(const prb_ring *r, uint64_t id, prb_desc_state state, desc_copy *d)
{
    unsigned extra = desc_slack(r);
    prb_desc_state next_state;
    desc_copy next;

    while (extra-- > 0) {
        /*
         * LMM(desc_pass_slack:A) relaxed, and loaded for each record, after the descriptor read
         * that gave its block. That read (desc_read:A, acquire) synchronizes with the record's
         * last commit (the state's later changes are read-modify-writes, which continue its
         * release sequence) or with its take-over (take_over:D, after the dead writer's stores),
         * and before allocating the block its writer pushed the data tail, or read it, at least
         * to the block's end minus a ring: so this load reads that tail or a later one
         * (coherence), at most a ring behind the block's end, and need_more_space tells "behind
         * the tail" from "ahead of it" exactly. (Positions a dead writer left half stored, or
         * stale ones of the slot's previous record, name no block whose header names the
         * record: passing them is what desc_push_tail does for its first record too, and the
         * block itself is passed through the intents, recover_unnamed_block.) Nothing else is
         * needed from the tail here (this pass writes nothing into the data ring), so no acquire;
         * no suite fails with or without one (docs/VERIFICATION.md). A tail loaded once, before a
         * later record's block was allocated, could be more than a ring behind that block's end,
         * which need_more_space reads as passed (found in review: Relacy slack_stale_data_tail).
         */
        if (d->begin != d->next &&
            need_more_space(r, prb_load(hdr_word(r, H_DATA_TAIL), PRB_MO_LOAD(desc_pass_slack_A, PRB_MO_RELAXED)),
                            d->next))
            break;
        /* LMM(desc_push_tail:A), as for the first successor. */
        next_state = desc_read(r, desc_id(id + 1), &next, NULL, NULL, NULL);
        if (next_state != PRB_DESC_FINALIZED && next_state != PRB_DESC_REUSABLE)
            break;
        if (state == PRB_DESC_FINALIZED)
            desc_make_reusable(r, id);
        id = desc_id(id + 1);
        state = next_state;
        *d = next;
    }
    return id;
}

/*
 * desc_push_tail() - moves the descriptor tail from tail_id to the next id, and on by the slack
 * (desc_pass_slack), after making tail_id reusable and pushing the data tail past its block.
 * Transitions: finalized -> reusable for each record passed; the descriptor tail moves past them.
 *
 * Context: any writer whose reservation found the ring full; never waits.
 * Return: true if the tail is past tail_id (also when another writer moved it); false if that is
 * not possible now: tail_id or its successor is still being written.
 */
static bool pass_headless_block(const prb_ring *r, uint64_t id, const desc_copy *d);

static bool desc_push_tail(const prb_ring *r, uint64_t tail_id)
{
    prb_aword *tail_word = hdr_word(r, H_TAIL_ID);
    desc_copy d;
    prb_desc_state next_state;
    uint64_t expected;

    switch (desc_read(r, tail_id, &d, NULL, NULL, NULL)) {
    case PRB_DESC_MISS:
        /*
         * The slot holds another id. If it is the id of one wrap back, the writer that moved the
         * head onto tail_id has not yet marked it reserved (it is between desc_reserve:D and :F):
         * treat it as reserved. Otherwise the slot was already recycled past tail_id, so the tail
         * has been pushed by someone else.
         */
        if (desc_id(d.state_var) == id_prev_wrap(r, tail_id))
            return false;
        return true;
    case PRB_DESC_RESERVED:
    case PRB_DESC_COMMITTED:
        return false;
    case PRB_DESC_FINALIZED:
        desc_make_reusable(r, tail_id);
        break;
    case PRB_DESC_REUSABLE:
        break;
    }

    /*
     * The record's data must be invalid before its descriptor can be recycled: afterwards
     * nothing would tell the data block's readers that it is stale. A record whose positions do
     * not span a block has none: a record without text (dataless positions), or one taken over
     * before its writer stored any, whose positions are still those of the slot's previous
     * record (long passed by the data tail) or, in a never-used slot, zero, which would name the
     * end of the first data wrap, ahead of the tail.
     */
    if (d.begin != d.next && !data_push_tail(r, d.next, d.next) &&
        !(PRB_UNLIKELY(r->rec_ops != NULL) && pass_headless_block(r, tail_id, &d)))
        return false;

    /*
     * The tail may only stand on a finalized or reusable descriptor (readers' prb_first_seq
     * depends on it), so check the successor first. LMM(desc_push_tail:A).
     */
    next_state = desc_read(r, desc_id(tail_id + 1), &d, NULL, NULL, NULL);
    if (next_state == PRB_DESC_FINALIZED || next_state == PRB_DESC_REUSABLE) {
        expected = tail_id;
        /*
         * LMM(desc_push_tail:B) release: tail_id is made reusable before the tail passes it (P12).
         * Failure (another writer pushed it) is fine. No acquire half, although our caller goes
         * on to recycle the slot and must see it reusable (the kernel's P12 acquires it here):
         * this writer read tail_id finalized or reusable with acquire above (desc_read:A, which
         * synchronizes with its commit) and has since read or written reusable(tail_id) (at
         * desc_read:A, by its own CAS in desc_make_reusable, or by that CAS failing on another
         * writer's), so desc_reserve:E reads it by coherence. A failed CAS here still reads a
         * tail past tail_id, so the next tail load reads one too (coherence). The records of the
         * slack (desc_pass_slack), made reusable above, are published the same way: a later
         * reservation of their slots acquires a tail past them (desc_reserve:C, P12), moved
         * either by this CAS or, if it failed short of them, by a later push, whose writer read
         * them reusable (desc_read:A) before its own release CAS.
         */
        prb_cas(tail_word, &expected, desc_pass_slack(r, desc_id(tail_id + 1), next_state, &d),
                PRB_MO(desc_push_tail_B, PRB_MO_RELEASE), PRB_MO_LOAD(desc_push_tail_B, PRB_MO_RELAXED));
    } else {
        /*
         * LMM(desc_push_tail:C), the kernel's fence(acquire) pairing with desc_reserve:F (P3), is
         * not needed: if the successor was already recycled by a new reservation, desc_read:A
         * read that reservation's state with acquire, which synchronizes with desc_reserve:F;
         * the recycler pushed the tail before F, so the load at D sees the push (coherence).
         *
         * LMM(desc_push_tail:D) relaxed. Returning true (the tail moved), our caller recycles
         * tail_id's slot; as after B, this writer has already synchronized with tail_id's commit
         * and read or written reusable(tail_id) itself.
         */
        if (prb_load(tail_word, PRB_MO_LOAD(desc_push_tail_D, PRB_MO_RELAXED)) == tail_id)
            return false;
    }
    return true;
}

/*
 * Claims the next descriptor id: reusable (or never used) -> reserved. Moves the descriptor head;
 * pushes the tail first when the ring is full. Returns false without waiting if the tail cannot
 * be pushed.
 */
/* ---------------------------------------------------------------------------------------------
 * Taking over a dead writer's record (rings with recovery: ring files; docs/RECOVERY.md)
 * ------------------------------------------------------------------------------------------- */


/*
 * take_over() - the record `id` blocks a tail and every writer whose intent names it is gone:
 * make it reusable. Transitions: reserved(id) -> reusable(id) (the writer died between its
 * reservation and its commit, in any window of prb.h's diagram), or reusable(id one wrap back) ->
 * reusable(id) (it died after moving the descriptor head onto id, before marking it reserved).
 *
 * Readers count a reusable record as lost, whatever its other words hold, and both tails pass it:
 * the descriptor tail at once, the data tail through the positions the writer stored before its
 * block header (data_alloc), or none if it got no block. Nothing but the state word is written,
 * by one compare-and-swap from the value read before the search, so two survivors racing, or a
 * survivor racing a reader's copy, is safe, and no survivor can write into a slot that another
 * has meanwhile taken over and recycled.
 *
 * Why a live writer's record is never taken: a writer stores its intent before it moves the head
 * (desc_reserve:I) and keeps it until its next reservation, which comes after it has committed.
 * Having acquired a head at or past id (A), the search reads that intent or a later one. If it
 * reads the intent, the writer is alive, and the search stops. If it reads a later one, the writer
 * has already changed id's state word past the value read at B, and the CAS fails. Other slots
 * that name id (a writer that lost the race for id and died before its next intent) are dead, and
 * being dead they cannot make the take-over wrong, only possible.
 *
 * Context: a writer's failure path (never the steady write path): async-signal-safe if the
 * liveness query is (prb_file.c's is a fcntl() system call).
 * Return: true if the record is now reusable (by this call).
 */
PRB_COLD static bool take_over(const prb_ring *r, uint64_t id)
{
    prb_aword *sv_word = desc_word(r, id, D_STATE);
    uint64_t head, sv, owner, k;
    bool named = false;

    /*
     * LMM(take_over:A) acquire. Pairs with desc_reserve:D's release half (through the head's
     * release sequence: every later head move is a read-modify-write): the intents of every writer
     * that moved the head onto id, or to any id up to the head we read, are visible below.
     */
    head = prb_load(hdr_word(r, H_HEAD_ID), PRB_MO_LOAD(take_over_A, PRB_MO_ACQUIRE));
    if (desc_id(head - id) >= r->desc_count)
        return false; /* not an id the ring holds now (a block header damaged, or a stale guess) */

    /*
     * LMM(take_over:B) acquire. Pairs with desc_reserve:F and with desc_reopen_last:A's release
     * half: a record read reserved comes with the intent its reserver (or reopener) stored
     * before. Only these values can be taken over.
     */
    sv = prb_load(sv_word, PRB_MO_LOAD(take_over_B, PRB_MO_ACQUIRE));
    if (sv != make_sv(id, PRB_DESC_RESERVED) && sv != make_sv(id_prev_wrap(r, id), PRB_DESC_REUSABLE) &&
        !(sv == 0 && in_first_wrap(r, id)))
        return false;
    /*
     * A slot never used reads 0, which is also the reserved state of id 0 (the first id of the
     * second wrap, in slot 0). Read as "never marked reserved" while it is in fact id 0's live
     * reservation, it would be taken from under its writer: the head read at A may be old. But id
     * 0's reserver pushed the tail past its slot's first-wrap id before it stored that state
     * (desc_reserve:F publishes it, and B acquired it): so a record whose slot is unclaimed must
     * still be at or after the tail. Relaxed: ordered after B.
     */
    if (sv != make_sv(id, PRB_DESC_RESERVED) &&
        desc_id(id - prb_load(hdr_word(r, H_TAIL_ID), PRB_MO_RELAXED)) >= r->desc_count)
        return false;

    /*
     * The search: bounded by the table's size. LMM(take_over:C) acquire loads of the intents.
     * Pairs with desc_reserve:I, desc_reserve:J and end_intent:A (release): an intent that no longer names id
     * (cleared, or its writer's next one) comes with everything its writer did before, the end of
     * its record id included, so the CAS at D then fails on the state word; without it the CAS
     * could read the reserved state before the commit that the cleared intent followed. The owner
     * words are relaxed: the liveness query synchronizes with a death by itself.
     */
    for (k = 0; k < r->rec_slot_count; k++) {
        prb_aword *slot = r->rec_slots + k * PRB_TS_WORDS;

        if (prb_load(&slot[PRB_TS_DESC], PRB_MO_LOAD(take_over_C, PRB_MO_ACQUIRE)) != (id | PRB_INTENT_SET))
            continue;
        owner = prb_load(&slot[PRB_TS_OWNER], PRB_MO_RELAXED);
        if (owner != 0 && !r->rec_ops->owner_is_gone(r->rec_context, owner))
            return false; /* alive (or no answer): maybe the writer of id; never take a live record */
        named = true;
    }
    if (!named)
        return false; /* nobody claims it: a writer without intents, or damage; leave it */

    /*
     * LMM(take_over:D) release CAS. Pairs with desc_read:A (and every other acquire of a state
     * word): the dead writer's own stores to the record, its block positions above all, which the
     * data-tail walk follows from the reusable state, were never published by a commit. This
     * writer sees them (the liveness query synchronized with the death), and its release passes
     * them on to whoever reads the new state. (A record made reusable the usual way needs no such
     * release: its state word's release sequence starts at the commit.) Failure: the record moved
     * on (its writer was alive after all, or another survivor took it over first); nothing to do.
     */
    if (!prb_cas(sv_word, &sv, make_sv(id, PRB_DESC_REUSABLE), PRB_MO(take_over_D, PRB_MO_RELEASE),
                 PRB_MO_LOAD(take_over_D, PRB_MO_RELAXED)))
        return false;
    /* Counted, and remembered for readers (prb_lost_reason_of): relaxed, a hint nobody orders
       anything by. Each take-over gets its own entry from the count; the oldest is overwritten. */
    k = prb_fetch_add(hdr_word(r, H_TAKEN_OVER), 1, PRB_MO_RELAXED);
    prb_store(hdr_word(r, H_RECENT_TAKEN + (unsigned)(k % RECENT_TAKEN)), TAKEN_MARK | seq_of_id(r, id),
              PRB_MO_RELAXED);
    return true;
}

bool prb_ring_intent_settled(const prb_ring *r, const prb_aword *slot)
{
    /*
     * Acquire loads, as take_over:C, :A and :B: a cleared intent comes with its record's end, a
     * head and a state come with what their writers did before. Called by the slot's owner (it
     * lets the slot go) or after a liveness query said the owner is gone (which synchronized with
     * its end): the slot's words are the owner's last.
     */
    uint64_t intent = prb_load(&slot[PRB_TS_DESC], PRB_MO_ACQUIRE);
    uint64_t id = desc_id(intent), head, sv, begin;

    if ((intent & PRB_INTENT_SET) == 0)
        return true;
    head = prb_load(hdr_word(r, H_HEAD_ID), PRB_MO_ACQUIRE);
    sv = prb_load(desc_word(r, id, D_STATE), PRB_MO_ACQUIRE);
    if (sv == make_sv(id, PRB_DESC_RESERVED))
        return false;
    /* Moved onto but never marked reserved: only while the head is at or past id, within a ring. */
    if (desc_id(head - id) < r->desc_count &&
        (sv == make_sv(id_prev_wrap(r, id), PRB_DESC_REUSABLE) || (sv == 0 && in_first_wrap(r, id))))
        return false;
    /* Taken over, but its block, which only the data intent names, may still be ahead of the data
       tail (recover_unnamed_block). */
    begin = prb_load(&slot[PRB_TS_DATA_BEGIN], PRB_MO_RELAXED);
    /* Relaxed tail: an old one only keeps the slot longer. */
    return (begin % WORD) != 0 || begin - prb_load(hdr_word(r, H_DATA_TAIL), PRB_MO_RELAXED) >= r->data_size;
}

/*
 * finish_superseded() - a committed record that is no longer the newest should have been
 * finalized: by the reservation after it (desc_make_final), or else by its own committer, which
 * looks at the head after its commit (prb_commit:A, the pair P10). A committer that died between
 * its commit and that look leaves it committed for good. Finalizing it is what the committer would
 * have done, and what any reserver may do (it can no longer be reopened: only the newest record
 * can), so no liveness question arises; its text is whole, and readers get it.
 * Return: true if the record is finalized now.
 */
static bool finish_superseded(const prb_ring *r, uint64_t id)
{
    /* Acquire, as desc_read:A: pairs with the commit (P8). Relaxed head: a guess, as in
       desc_reopen_last; desc_make_final's CAS decides. */
    uint64_t sv = prb_load(desc_word(r, id, D_STATE), PRB_MO_ACQUIRE);

    if (sv != make_sv(id, PRB_DESC_COMMITTED) || prb_load(hdr_word(r, H_HEAD_ID), PRB_MO_RELAXED) == id)
        return false;
    desc_make_final(r, id);
    return true;
}

/*
 * pass_block() - moves the data tail past the block [begin, end), which the walk cannot pass
 * (its header does not name a record whose positions begin there) and whose record is gone: the
 * callers have made sure of that. Transition: data tail begin -> end. First up to the block (the
 * tail moves only after a whole walk: the blocks before it may still be behind it), then
 * LMM(pass_block:A) acquire, as data_push_tail:A (P11), where the tail stands, and
 * LMM(pass_block:B) release CAS, as data_push_tail:D: the tail's release sequence must carry what
 * the pushes before it made reusable. A failure means another writer moved the tail past it.
 * Return: true if the data tail is now past the block.
 */
PRB_COLD static bool pass_block(const prb_ring *r, uint64_t begin, uint64_t end)
{
    prb_aword *tail_word = hdr_word(r, H_DATA_TAIL);
    uint64_t tail;

    if (!data_push_tail(r, begin, begin))
        return false;
    tail = prb_load(tail_word, PRB_MO_LOAD(pass_block_A, PRB_MO_ACQUIRE));
    if (tail != begin)
        return !need_more_space(r, tail, end); /* past it already: another survivor */
    prb_cas(tail_word, &tail, end, PRB_MO(pass_block_B, PRB_MO_RELEASE), PRB_MO_LOAD(pass_block_B, PRB_MO_RELAXED));
    return true;
}

/*
 * pass_headless_block() - the data tail stands at the block of record `id`, which is reusable
 * (taken over) but whose header does not name it: its writer died after storing the block's
 * positions and before the header (data_alloc). The walk reads the header first and cannot pass
 * such a block; the record's own positions can. Moves the data tail from the block's begin to its
 * end. Rings with recovery only (elsewhere a reusable record's header always names it).
 * Return: true if the data tail is now past the block.
 */
PRB_COLD static bool pass_headless_block(const prb_ring *r, uint64_t id, const desc_copy *d)
{
    if (state_of(id, d->state_var) != PRB_DESC_REUSABLE || lpos_dataless(d->begin) ||
        d->next - d->begin - 1 >= r->data_size)
        return false;
    /* A header that names the record after all: the walk passes the block itself. */
    if (prb_load(&r->data[data_index(r, d->begin) / WORD], PRB_MO_RELAXED) == id)
        return false;
    return pass_block(r, d->begin, d->next);
}

/*
 * data_blocker() - where a data-tail push up to `lpos` stops: the block's position (*at) and the
 * id its header holds (*header_id). Return: false if the push would not stop.
 */
static bool data_blocker(const prb_ring *r, uint64_t lpos, uint64_t *at, uint64_t *header_id)
{
    uint64_t tail = prb_load(hdr_word(r, H_DATA_TAIL), PRB_MO_ACQUIRE);

    *at = tail;
    if (lpos_dataless(lpos) || data_make_reusable(r, tail, lpos, lpos, at))
        return false;
    *header_id = prb_load(&r->data[data_index(r, *at) / WORD], PRB_MO_RELAXED);
    return true;
}

/*
 * headless_owner() - the record whose block begins at `at` although the block's header does not
 * name it: one whose writer died between storing the block's positions and its header
 * (data_alloc). Only an intent still names it (its writer never cleared it): search the thread
 * slots for an intent whose record's positions begin at `at`. Bounded by the table's size.
 * Return: the record's id, or `none`.
 */
static uint64_t headless_owner(const prb_ring *r, uint64_t at, uint64_t none)
{
    uint32_t k;

    for (k = 0; k < r->rec_slot_count; k++) {
        /* Acquire, as take_over:C. */
        uint64_t intent = prb_load(&r->rec_slots[k * PRB_TS_WORDS + PRB_TS_DESC], PRB_MO_ACQUIRE);
        uint64_t id = desc_id(intent);

        if ((intent & PRB_INTENT_SET) != 0 && prb_load(desc_word(r, id, D_BEGIN), PRB_MO_RELAXED) == at)
            return id;
    }
    return none;
}

/*
 * recover_unnamed_block() - the data tail walk stops at `at`, and nothing names the block there:
 * neither its header nor the positions of any record an intent names. Its writer died between
 * moving the data head and storing the block's positions (data_alloc), and only its data intent
 * (a begin, and a size that gives the end) says where the block is. Takes over that writer's
 * record and moves the data tail past the block: [at, end) -> free. Rings with recovery only.
 *
 * The block is passed only if every writer whose data intent names `at` is gone, and all of them
 * give the same end. Two can name it: the writer whose compare-and-swap moved the head, and one
 * whose compare-and-swap for the same position failed and that died before resetting its data
 * intent, right after (PRB_FAULT_DATA_HEAD_LOST). If both are dead and their sizes differ, nothing
 * tells which end is right, and the block stays (docs/RECOVERY.md: two deaths, each within a few
 * instructions).
 *
 * Why a block someone still writes, or has finished, is never passed. The search acquires a data
 * head past `at` (A), so it reads the data intent its writer stored before moving the head from
 * `at`, or a later value of the same slot (data_alloc:I). If that one, its writer is alive (the
 * search stops) or gone (a candidate). If a later one (or a later descriptor intent, B), the writer
 * has finished its allocation, header included, and the acquire of that later value (B or C)
 * makes its header visible to the check after the search, which then stops. That holds because
 * every store to a slot's words is a release (the writer's own: desc_reserve:I, :J, end_intent:A,
 * data_alloc:I, :J; a new claimer's resets, prb_file.c) and an owner word 0 is acquired (D). A gone
 * writer's words are final: they are read again after the liveness query, which synchronized with
 * its end.
 *
 * Context: a writer's failure path. Return: true if the data tail is now past the block.
 */
PRB_COLD static bool recover_unnamed_block(const prb_ring *r, uint64_t at)
{
    uint64_t head, end = 0, header_id;
    bool named = false;
    desc_copy d;
    uint32_t k;

    /*
     * LMM(recover_unnamed_block:A) acquire. Pairs with data_alloc:A's release half, through the
     * data head's release sequence (every head move is a read-modify-write): the data intent of
     * whoever moved the head from `at` is visible below.
     */
    head = prb_load(hdr_word(r, H_DATA_HEAD), PRB_MO_LOAD(recover_unnamed_block_A, PRB_MO_ACQUIRE));
    if (!need_more_space(r, at, head))
        return false; /* the head is not past `at`: no block there */

    for (k = 0; k < r->rec_slot_count; k++) {
        prb_aword *slot = r->rec_slots + k * PRB_TS_WORDS;
        uint64_t intent, owner, size, next;

        /*
         * LMM(recover_unnamed_block:B) acquire, as take_over:C (pairs with desc_reserve:I and
         * end_intent:A); LMM(recover_unnamed_block:C) acquire, pairs with data_alloc:I.
         */
        intent = prb_load(&slot[PRB_TS_DESC], PRB_MO_LOAD(recover_unnamed_block_B, PRB_MO_ACQUIRE));
        if ((intent & PRB_INTENT_SET) == 0 ||
            prb_load(&slot[PRB_TS_DATA_BEGIN], PRB_MO_LOAD(recover_unnamed_block_C, PRB_MO_ACQUIRE)) != at)
            continue;
        /*
         * LMM(recover_unnamed_block:D) acquire. Pairs with the release that let the slot go
         * (prb_file.c: free_thread_slot, release_slot): an owner word 0 is a later value of the
         * slot, whose writer finished its record first; the words read again below are then its
         * last ones, not stale ones to be taken for a dead writer's. (A take-over needs no such
         * acquire: its CAS of the record's state decides.)
         */
        owner = prb_load(&slot[PRB_TS_OWNER], PRB_MO_LOAD(recover_unnamed_block_D, PRB_MO_ACQUIRE));
        if (owner != 0 && !r->rec_ops->owner_is_gone(r->rec_context, owner))
            return false; /* alive (or no answer): maybe still allocating this block */

        /* Gone: its words are final. Relaxed: after the liveness query. */
        intent = prb_load(&slot[PRB_TS_DESC], PRB_MO_RELAXED);
        size = prb_load(&slot[PRB_TS_DATA_SIZE], PRB_MO_RELAXED);
        if ((intent & PRB_INTENT_SET) == 0 || prb_load(&slot[PRB_TS_DATA_BEGIN], PRB_MO_RELAXED) != at)
            continue;
        /* A size no block has (damaged memory), or two dead writers that disagree: leave it. */
        if (size == 0 || size % WORD != 0 || size > max_blk_size(r))
            return false;
        next = get_next_lpos(r, at, size);
        if (head - next >= r->data_size || (named && next != end))
            return false;
        named = true;
        end = next;
        /* Its record: a dead writer's, reserved (or head moved onto it); readers will see it lost. */
        take_over(r, desc_id(intent));
    }
    if (!named)
        return false;

    /*
     * The header, after the acquires above: a block its writer named in the end is not ours to
     * pass. A header naming a record that exists names that record's block (ids never repeat);
     * desc_read copies no positions for a reserved one, so reserved alone stops the pass too.
     */
    header_id = prb_load(&r->data[data_index(r, at) / WORD], PRB_MO_RELAXED);
    switch (desc_read(r, desc_id(header_id), &d, NULL, NULL, NULL)) {
    case PRB_DESC_MISS:
        break;
    case PRB_DESC_RESERVED:
        return false;
    default:
        if (d.begin == at)
            return false;
    }

    return pass_block(r, at, end);
}

/*
 * recover_blocked_data() - data_push_tail(lpos) failed: take over the record whose block stops it,
 * if its writer is gone; if the block's header does not name the record (its writer died before
 * storing it), find the record through the intents, take it over and pass its block; if no
 * record names the block at all, pass it by its writer's data intent (recover_unnamed_block).
 * Return: true if something changed (worth trying again).
 */
PRB_COLD static bool recover_blocked_data(const prb_ring *r, uint64_t lpos)
{
    uint64_t none = ~UINT64_C(0);
    uint64_t at, header_id, id;
    desc_copy d;
    bool changed;

    if (r->rec_ops == NULL)
        return false;
    if (!data_blocker(r, lpos, &at, &header_id))
        return true; /* the walk goes through now (the first one read something older): try again */
    if (finish_superseded(r, desc_id(header_id)) || take_over(r, desc_id(header_id)))
        return true;
    id = headless_owner(r, at, none);
    if (id != none) {
        changed = take_over(r, id);
        /* desc_read: a consistent copy of the state and positions (a reusable record's are final). */
        if (desc_read(r, id, &d, NULL, NULL, NULL) == PRB_DESC_REUSABLE && d.begin == at)
            changed = pass_headless_block(r, id, &d) || changed;
        if (changed)
            return true;
    }
    /* Nobody's positions (a record's stale ones can coincide with `at`): the data intents. */
    return recover_unnamed_block(r, at);
}

/*
 * recover_blocked_tail() - desc_push_tail(tail_id) failed: the record at the tail, its successor
 * (the tail may only stand on a finished record) or a data block in the way of its data may
 * belong to a dead writer. Return: true if something changed (worth trying again).
 */
PRB_COLD static bool recover_blocked_tail(const prb_ring *r, uint64_t tail_id)
{
    uint64_t next_id = desc_id(tail_id + 1);
    bool any;

    if (r->rec_ops == NULL)
        return false;
    any = finish_superseded(r, tail_id) || take_over(r, tail_id);
    any = finish_superseded(r, next_id) || take_over(r, next_id) || any;
    return recover_blocked_data(r, prb_load(desc_word(r, tail_id, D_NEXT), PRB_MO_RELAXED)) || any;
}

static PRB_INLINE bool desc_reserve(const prb_ring *r, prb_entry *e, prb_aword *intent, uint64_t *id_out)
{
    prb_aword *head_word = hdr_word(r, H_HEAD_ID);
    prb_aword *tail_word = hdr_word(r, H_TAIL_ID);
    prb_aword *sv_word;
    uint64_t head, id, prev, prev_sv;

    /*
     * LMM(desc_reserve:A) acquire. Pairs with desc_reserve:D (P1): the tail was pushed before
     * this head was, so the tail read at C is at least as new. Also LMM(desc_reserve:B).
     */
    head = prb_load(head_word, PRB_MO_LOAD(desc_reserve_A, PRB_MO_ACQUIRE));
    do {
        id = desc_id(head + 1);
        prev = id_prev_wrap(r, id);

        /*
         * LMM(desc_reserve:C) acquire. If the slot's previous user (prev) is still the tail, the
         * ring is full: push the tail. If the tail is already past prev, then prev was made
         * reusable before the tail moved (desc_push_tail:B, P12), and E will see it.
         */
        if (prev == prb_load(tail_word, PRB_MO_LOAD(desc_reserve_C, PRB_MO_ACQUIRE))) {
            /* A ring file may have a dead writer in the way: take its record over, try again
               (once: a second failure is a live writer, or a recovery to make next time). */
            if (!desc_push_tail(r, prev) && !(recover_blocked_tail(r, prev) && desc_push_tail(r, prev))) {
                /* No record is ours: an intent left from a failed CAS above would keep a
                   take-over of that record waiting on us for as long as we do not write. */
                if (intent != NULL) /* LMM(desc_reserve:J) release: as end_intent:A */
                    prb_store(&intent[PRB_TS_DESC], 0, PRB_MO(desc_reserve_J, PRB_MO_RELEASE));
                return false;
            }
        }

        /*
         * LMM(desc_reserve:I) release: the intent, in this writer's own thread slot (rings with
         * recovery only). The release half of the CAS at D orders it before the head move, so a
         * survivor that acquires a head at or past id (take_over:A) reads this intent or a later
         * one of the same slot: a writer that owns id, or is about to mark it reserved, cannot be
         * missed by the take-over's search, and being alive it stops it. Its own release pairs
         * with take_over:C: a survivor that reads this intent (a later one than the one naming a
         * record it examines) sees everything this writer did before, the commit of that earlier
         * record included, so its CAS there fails.
         */
        if (intent != NULL)
            prb_store(&intent[PRB_TS_DESC], id | PRB_INTENT_SET, PRB_MO(desc_reserve_I, PRB_MO_RELEASE));

        /*
         * LMM(desc_reserve:D) seq_cst: release for P1 (and for P12's chain), and one of the four
         * seq_cst accesses of the store-buffering pair P10 with desc_make_final:A below. On failure
         * the new head is loaded with acquire, as at A.
         */
    } while (!prb_cas(head_word, &head, id, PRB_MO(desc_reserve_D, PRB_MO_SEQ_CST),
                      PRB_MO_LOAD(desc_reserve_D, PRB_MO_ACQUIRE)));

    if (intent != NULL) {
        e->id = id;
        e->seq = seq_of_id(r, id);
        fault_point(r, PRB_FAULT_DESC_HEAD_MOVED, e);
    }

    sv_word = desc_word(r, id, D_STATE);

    /*
     * LMM(desc_reserve:E) relaxed: the slot's state as prev's last user left it. The kernel's CAS
     * at F acquires it, for two things; every path here already has both.
     *  - Synchronization with prev's commit (the old record's last writes happen before ours,
     *    and ours are newer in every word): some writer read prev finalized or reusable with
     *    acquire at desc_read:A (the states after the commit are written by read-modify-writes,
     *    which continue its release sequence). Either that writer pushed the tail past prev with
     *    a release CAS that C read (acquire, P12), or it was this writer, in desc_push_tail.
     *  - Reading reusable(prev): a read or write of reusable(prev) happens before this load (the
     *    pusher's, carried by the same B -> C chain, or this writer's own in desc_push_tail), and
     *    nothing but our own store at F writes the word after it, so this load reads it
     *    (coherence).
     * In the first wrap there is no previous record. This load runs on every reservation: an
     * acquire would cost a barrier per record where loads are not ordered.
     */
    prev_sv = prb_load(sv_word, PRB_MO_LOAD(desc_reserve_E, PRB_MO_RELAXED));

    /*
     * Only a never-used slot (0) or prev's reusable descriptor may be recycled: this guards
     * against ABA when this writer was preempted for a whole wrap of the ring. The check cannot
     * fail in a correct execution (every path above leaves us synchronized with whoever made prev
     * reusable). If it did (memory corrupted from outside), the head has moved onto a slot that
     * never becomes reserved: the ring treats it exactly like a writer that died between D and F,
     * i.e. like a stuck writer.
     */
    if (state_of(prev, prev_sv) != PRB_DESC_REUSABLE && !(prev_sv == 0 && in_first_wrap(r, id)))
        return false;

    /*
     * LMM(desc_reserve:F) release store: the tail pushes made above are seen by whoever reads
     * this new state (P2, P3, P4). The kernel uses a compare-and-swap here; a plain store is
     * enough because, from the head move at D until this store, nobody else writes this word:
     * tail pushers and finalizers only change a record that is finalized or committed, and the
     * slot holds reusable(prev) (or 0), which no other writer may touch (a writer that moved the
     * head onto prev a wrap earlier would have reserved it, and prev is known to be reusable).
     * A take-over (rings with recovery) changes reusable(prev) only when every writer whose
     * intent names id is gone: this writer's intent names id since before D, and it is alive.
     */
    prb_store(sv_word, make_sv(id, PRB_DESC_RESERVED), PRB_MO(desc_reserve_F, PRB_MO_RELEASE));

    /*
     * LMM(desc_reserve:G) fence(release): the state change above is ordered before every store
     * to this descriptor's fields, info and data below. Pairs with desc_read:D (P5).
     */
    PRB_FENCE(desc_reserve_G, PRB_MO_RELEASE);

    *id_out = id;
    return true;
}

/* ---------------------------------------------------------------------------------------------
 * The finalized prefix (the kernel's last_finalized_seq, Linux 6.9+)
 * ------------------------------------------------------------------------------------------- */

static bool read_valid(const prb_ring *r, uint64_t *seq, prb_record_info *info, void *buf, size_t buf_size,
                       bool panic_mode);

/*
 * Advances last_finalized_seq over every record after it that is now finalized (or lost), never
 * past one that is not: it is a cache of where the contiguous finalized prefix ends, so that
 * prb_next_seq need not walk from the start. Best effort: two finalizers racing may each miss
 * the other's record; prb_next_seq walks forward from the cached value anyway.
 */
/*
 * finalized_run_end - the walk's fast path: the first seq at or after `seq` whose record is not
 * finalized (or reusable, i.e. lost) in its own slot, with one relaxed load of each state word
 * where read_valid would copy the descriptor twice and check the seq: the slot's id alone names
 * the seq (they advance together from DESC0_ID + 1 = seq 0). *stop_sv gets the state word of the
 * slot where the run ends.
 *
 * Bound: each step needs the slot to hold exactly the probed seq, so a region nobody writes ends
 * the run within desc_count steps.
 *
 * Context: any thread, async-signal-safe; changes nothing.
 * Return: the seq where the run ends (`seq` itself when that record is not finalized in place).
 */
static uint64_t finalized_run_end(const prb_ring *r, uint64_t seq, uint64_t *stop_sv)
{
    /* The geometry in locals: the compiler would reload it from the handle after every atomic
       load of the walk. */
    prb_aword *descs = r->descs;
    uint64_t mask = r->desc_count - 1;
    /* Finalized (2) and reusable (3) are the states with the high bit set: the state word of
       record `seq` is one of them if, with the low state bit set, it is reusable(id). */
    uint64_t want = make_sv(desc0_id(r) + 1 + seq, PRB_DESC_REUSABLE);
    uint64_t sv;

    for (;;) {
        /*
         * Relaxed is enough. This load is sequenced before the release that publishes the new
         * last_finalized_seq (desc_update_last_finalized:A), so a reader that acquires that value
         * (P13) and then loads this state word reads this value or a later one (read-read
         * coherence), and that load, an acquire (desc_read:A), synchronizes with the commit itself
         * (P8). The walk reads nothing of the record but its state.
         */
        sv = prb_load(&descs[(seq & mask) * DESC_WORDS + D_STATE], PRB_MO_RELAXED);
        if ((sv | make_sv(0, PRB_DESC_COMMITTED)) != want)
            break;
        seq++;
        want = make_sv(want + 1, PRB_DESC_REUSABLE);
    }
    *stop_sv = sv;
    return seq;
}

/*
 * desc_last_finalized_seq - the cached end of the finalized prefix: every record up to the
 * returned seq is finalized or lost (0 also when none is, so its callers probe record 0 itself).
 *
 * LMM(desc_last_finalized_seq:A) relaxed, for both callers; the kernel's load acquires (P13).
 *  - prb_next_seq: P13 (records below the cached seq are seen finalized) holds through a fence
 *    instead. Before its walk decides anything about a record at or below this value, or
 *    returns, it passes a fence(acquire) at desc_read:D (in read_record for a readable record,
 *    else in prb_first_seq's read of the tail, which is always finalized or reusable), and that
 *    fence synchronizes with the CAS that published this value (desc_update_last_finalized:A).
 *  - desc_update_last_finalized: the value only starts a walk that checks every record it relies
 *    on, and the CAS that publishes the result, a read-modify-write, continues the release
 *    sequence of the CAS that published this value, so a reader acquiring ours also
 *    synchronizes with that one (P13).
 *
 * Context: any thread, async-signal-safe; changes nothing.
 * Return: the cached seq.
 */
static inline uint64_t desc_last_finalized_seq(const prb_ring *r)
{
    return prb_load(hdr_word(r, H_LAST_FINALIZED), PRB_MO_LOAD(desc_last_finalized_seq_A, PRB_MO_RELAXED));
}

static void desc_update_last_finalized(const prb_ring *r)
{
    prb_aword *lfs_word = hdr_word(r, H_LAST_FINALIZED);
    uint64_t old, newest, probe, end, stop_sv, ahead;

    old = desc_last_finalized_seq(r);
    for (;;) {
        /* 0 is ambiguous ("record 0 is finalized" or "nothing is"): probe from record 0 itself,
           so that a finalized record 1 is never published while record 0 is still reserved. */
        newest = old;
        probe = old == 0 ? 0 : old + 1;
        for (;;) {
            end = finalized_run_end(r, probe, &stop_sv);
            if (end != probe)
                newest = end - 1;
            probe = end;
            /*
             * Record `probe` is not finalized in its slot. If the slot holds its id or an older
             * one, it is being written or not reserved yet, and the prefix ends here (read_valid
             * would say so too, at the cost of a record read and a tail read: the usual end of
             * every walk). Only a newer id means that it was overwritten: read_valid then goes on
             * from the tail, over lost records.
             */
            ahead = desc_id(desc_id(stop_sv) - desc_id(desc0_id(r) + 1 + probe));
            if (ahead == 0 || ahead > ID_MASK / 2 || !read_valid(r, &probe, NULL, NULL, 0, false))
                break;
            newest = probe;
            probe++;
        }
        if (newest == old)
            return;
        /*
         * LMM(desc_update_last_finalized:A) release: publishes that the records up to `newest`
         * were seen finalized (P13). On failure another writer advanced it: try again from its
         * value, relaxed for the reason given at the load above.
         */
        if (prb_cas(lfs_word, &old, newest, PRB_MO(desc_update_last_finalized_A, PRB_MO_RELEASE),
                    PRB_MO_LOAD(desc_update_last_finalized_A, PRB_MO_RELAXED)))
            return;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Public writer API
 * ------------------------------------------------------------------------------------------- */

static void info_store(const prb_ring *r, uint64_t id, unsigned k, uint64_t v)
{
    prb_store(info_word(r, id, k), v, PRB_MO_RELAXED);
}

static uint64_t caller_len_word(uint32_t caller_id, uint32_t text_len)
{
    return ((uint64_t)caller_id << 32) | text_len;
}

size_t prb_max_text_size(const prb_ring *r) { return (size_t)(max_blk_size(r) - WORD); }

uint64_t prb_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

/* Rings with recovery: the thread slot for this entry's intent (prb_recovery.h); false if none. */
static inline bool acquire_intent(const prb_ring *r, prb_entry *e)
{
    e->intent_slot = r->rec_ops->acquire_slot(r->rec_context, &e->intent_token);
    return e->intent_slot != NULL;
}

static void release_intent(prb_entry *e)
{
    const prb_ring *r = e->ring;

    r->rec_ops->release_slot(r->rec_context, e->intent_token);
    e->intent_slot = NULL;
}

/*
 * end_intent() - the record of entry e is committed (or its commit refused): its intent goes and
 * the slot goes back to its thread, only now. Until the state store the intent must name the
 * record, or a take-over could not find this writer alive. A committed record is never taken
 * over (one superseded and left committed by a dead committer is finished without asking anyone:
 * finish_superseded), and a cleared intent never keeps a take-over of someone else's record
 * waiting on a writer that has moved on (a reopen by another thread of the same caller id).
 * Return: status, passed through.
 */
PRB_COLD static prb_status end_intent(prb_entry *e, prb_status status)
{
    if (e->intent_slot != NULL) {
        /*
         * LMM(end_intent:A) release: the commit above is ordered before the cleared intent. Pairs
         * with take_over:C: a survivor that reads the cleared intent (or a later one) sees the
         * committed state, and its CAS from the reserved state fails. Relaxed, the clear could be
         * seen before the commit (a release store orders what comes before it, not after), and a
         * take-over could land between the two, to be overwritten by the final commit's store.
         */
        prb_store(&((prb_aword *)e->intent_slot)[PRB_TS_DESC], 0, PRB_MO(end_intent_A, PRB_MO_RELEASE));
        release_intent(e);
    }
    return status;
}

/*
 * _prb_commit - the owner's commit: reserved -> committed, or reserved -> finalized (target).
 * Named as in the kernel, whose labels _prb_commit:A and :B are here.
 *
 * Context: the entry's owner; async-signal-safe, never waits.
 * Return: PRB_OK; PRB_E_BAD_ENTRY (nothing changed) for an entry that holds no reservation or a
 * record that is not reserved by it.
 */
static prb_status _prb_commit(prb_entry *e, prb_desc_state target)
{
    const prb_ring *r = e->ring;
    prb_aword *sv_word;
    uint64_t expected;

    if (r == NULL || !e->active)
        return PRB_E_BAD_ENTRY;
    e->active = 0;

    sv_word = desc_word(r, e->id, D_STATE); /* before the store, after which the geometry is reloaded */
    info_store(r, e->id, I_CALLER_LEN, caller_len_word(e->caller_id, e->text_len));
    expected = make_sv(e->id, PRB_DESC_RESERVED);

    if (target == PRB_DESC_FINALIZED) {
        /*
         * A final commit: reserved -> finalized in one store. Only the owner ever changes a
         * reserved record (finalizers and tail pushers wait for committed or finalized; a
         * take-over needs the owner dead), so no compare-and-swap is needed; the relaxed load
         * only refuses a corrupted entry. No store-buffering pair either: nobody has to finalize
         * the record for us.
         * LMM(_prb_commit:B) in its release form: publishes every store to this record's
         * descriptor, info and text to readers that acquire the state (P8) and to a writer
         * reopening it (P9).
         */
        if (prb_load(sv_word, PRB_MO_RELAXED) != expected)
            return PRB_E_BAD_ENTRY;
        prb_store(sv_word, make_sv(e->id, target), PRB_MO(_prb_commit_B_final, PRB_MO_RELEASE));
        return PRB_OK;
    }

    /*
     * LMM(_prb_commit:A) is here: every store to this record's descriptor, info and text is
     * above. LMM(_prb_commit:B) seq_cst: release publishes them to readers that acquire the
     * state (P8) and to a writer reopening the record (P9); seq_cst for the store-buffering pair
     * P10 with prb_commit:A. Failure cannot happen to a correct caller (only the owner moves a
     * reserved record).
     */
    if (!prb_cas(sv_word, &expected, make_sv(e->id, target), PRB_MO(_prb_commit_B, PRB_MO_SEQ_CST),
                 PRB_MO_RELAXED))
        return PRB_E_BAD_ENTRY;
    return PRB_OK;
}

prb_status prb_commit(prb_entry *e)
{
    prb_status status = _prb_commit(e, PRB_DESC_COMMITTED);

    /* Rings with recovery: the record's intent ends after its commit (end_intent). */
    if (PRB_UNLIKELY(e->intent_slot != NULL))
        end_intent(e, status);
    if (status != PRB_OK)
        return status;
    fault_point(e->ring, PRB_FAULT_COMMITTED, e);
    /*
     * LMM(prb_commit:A) seq_cst, the committer's load in P10. If a newer record was reserved
     * meanwhile, its reserver may have tried to finalize ours before we committed (and failed):
     * then we see its head here and finalize ourselves.
     */
    if (prb_load(hdr_word(e->ring, H_HEAD_ID), PRB_MO_LOAD(prb_commit_A, PRB_MO_SEQ_CST)) != e->id)
        desc_make_final(e->ring, e->id);
    return PRB_OK;
}

prb_status prb_final_commit(prb_entry *e)
{
    prb_status status = _prb_commit(e, PRB_DESC_FINALIZED);

    if (status == PRB_OK)
        desc_note_finalized(e->ring, e->id);
    /* Rings with recovery: the record's intent ends after its commit (end_intent), in a tail
       call, so that the in-process ring's commit needs no stack frame for it. */
    if (PRB_UNLIKELY(e->intent_slot != NULL))
        return end_intent(e, status);
    return status;
}

/*
 * reserve() - prb_reserve's body, in two copies. The in-process ring's, with `instrumented`
 * false, has no trace of intents, fault hooks or the read-only check (not a branch, not a
 * register). The other one (reserve_out_of_line), for a ring file, a fault hook or a read-only
 * handle, has all three, `recoverable` being then whether recovery is on.
 */
static PRB_INLINE prb_status reserve(prb_ring *r, prb_entry *e, size_t text_size, const prb_meta *meta,
                                     bool instrumented, bool recoverable)
{
    static const prb_meta no_meta = {0, 0, 0, 0, 0, 0};
    uint64_t id, seq, text_word;
    prb_aword *info;

    memset(e, 0, sizeof *e);
    if (instrumented && r->read_only)
        return PRB_E_READ_ONLY; /* a PROT_READ mapping: any store would fault */
    if (text_size > prb_max_text_size(r))
        return PRB_E_TOO_LARGE;
    if (meta == NULL)
        meta = &no_meta;
    e->ring = r;
    if (recoverable && !acquire_intent(r, e))
        return PRB_E_NO_WRITER_SLOT;

    if (!desc_reserve(r, e, recoverable ? (prb_aword *)e->intent_slot : NULL, &id)) {
        /* Counting failures only: the success path has no shared counter to contend on. */
        prb_fetch_add(hdr_word(r, H_FAILED_DESC), 1, PRB_MO_RELAXED);
        if (recoverable)
            release_intent(e);
        return PRB_E_NO_DESCRIPTOR;
    }

    /*
     * The seq. The kernel adds one wrap (desc_count) to the slot's previous seq, with bootstrap
     * values that make slot 0's first record seq 0; the result is always the id's own seq, which
     * we compute directly (a subtraction and a mask instead of a load, a compare and an add). It
     * also keeps a damaged info word (memory shared with another process) from giving every later
     * record of its slot a seq that readers never find.
     */
    seq = seq_of_id(r, id);

    /* The record's info words, addressed once (the compiler would reload the geometry from the
       handle after each atomic store). */
    info = info_word(r, id, 0);
    prb_store(&info[I_SEQ], seq, PRB_MO_RELAXED);
    prb_store(&info[I_TIMESTAMP],
              meta->timestamp_ns != 0 || meta->has_timestamp ? meta->timestamp_ns : prb_clock_ns(), PRB_MO_RELAXED);
    prb_store(&info[I_CALLER_LEN], caller_len_word(meta->caller_id, 0), PRB_MO_RELAXED);
    prb_store(&info[I_LEVEL], (uint64_t)meta->level | ((uint64_t)meta->facility << 8) | ((uint64_t)meta->flags << 16),
              PRB_MO_RELAXED);

    e->id = id;
    e->seq = seq;
    e->caller_id = meta->caller_id;
    e->active = 1;

    /* Only the newest record can be extended: the previous one, if merely committed, is final
       now (committed -> finalized). */
    if (seq > 0)
        desc_make_final(r, desc_id(id - 1));

    if (instrumented)
        fault_point(r, PRB_FAULT_DESC_RESERVED, e);
    if (!data_alloc(r, e, id, text_size, recoverable ? (prb_aword *)e->intent_slot : NULL, &text_word)) {
        /* The seq is taken; publish it as a record without data, which readers report lost. */
        prb_fetch_add(hdr_word(r, H_FAILED_DATA), 1, PRB_MO_RELAXED);
        prb_final_commit(e);
        return PRB_E_NO_SPACE;
    }
    e->text_word = text_word;
    e->capacity = (uint32_t)text_size;
    if (instrumented)
        fault_point(r, PRB_FAULT_DATA_ALLOCATED, e);
    return PRB_OK;
}

PRB_NOINLINE static prb_status reserve_out_of_line(prb_ring *r, prb_entry *e, size_t text_size, const prb_meta *meta)
{
    return reserve(r, e, text_size, meta, true, r->rec_ops != NULL);
}

prb_status prb_reserve(prb_ring *r, prb_entry *e, size_t text_size, const prb_meta *meta)
{
    if (PRB_UNLIKELY(r->reserve_out_of_line))
        return reserve_out_of_line(r, e, text_size, meta);
    return reserve(r, e, text_size, meta, false, false);
}

size_t prb_entry_append(prb_entry *e, const void *bytes, size_t len)
{
    size_t room;

    if (!e->active)
        return 0;
    room = e->capacity - e->text_len;
    if (len > room)
        len = room;
    if (len > 0) {
        text_store(e->ring, e->text_word, e->text_len, (const unsigned char *)bytes, len);
        e->text_len += (uint32_t)len;
        /* A record written in pieces is partly written here; one that this append filled is not
           (and the comparison spares a whole-record append the hook's load). */
        if (e->text_len < e->capacity)
            fault_point(e->ring, PRB_FAULT_TEXT_PARTIAL, e);
    }
    return len;
}

/* prb_entry_append_word's general case, out of line: taking the word's address would give the
   fast path a stack frame. */
PRB_NOINLINE static size_t append_word_bytes(prb_entry *e, uint64_t word)
{
    return prb_entry_append(e, &word, WORD);
}

size_t prb_entry_append_word(prb_entry *e, uint64_t word)
{
    uint32_t len = e->text_len;

    /* The text so far is whole words and the word fits: it is one aligned word of the block. */
    if (e->active && len % WORD == 0 && e->capacity - len >= WORD) {
        prb_store(&e->ring->data[e->text_word + len / WORD], word, PRB_MO_RELAXED);
        e->text_len = len + WORD;
        if (len + WORD < e->capacity)
            fault_point(e->ring, PRB_FAULT_TEXT_PARTIAL, e);
        return WORD;
    }
    return append_word_bytes(e, word);
}

/* Copies up to max-1 bytes of a C string into dst (NUL-padded), without strnlen. */
static void copy_c_string(char *dst, const char *src, size_t max)
{
    size_t i = 0;
    if (src != NULL)
        for (; i + 1 < max && src[i] != '\0'; i++)
            dst[i] = src[i];
}

void prb_entry_set_dev_info(prb_entry *e, const char *subsystem, const char *device)
{
    uint64_t words[DEV_WORDS];
    char bytes[PRB_SUBSYSTEM_LEN + PRB_DEVICE_LEN];
    unsigned k;

    /* A ring without device-info storage keeps none: the record stays without device info. */
    if (!e->active || e->ring->devs == NULL)
        return;
    memset(bytes, 0, sizeof bytes);
    copy_c_string(bytes, subsystem, PRB_SUBSYSTEM_LEN);
    copy_c_string(bytes + PRB_SUBSYSTEM_LEN, device, PRB_DEVICE_LEN);
    memcpy(words, bytes, sizeof words);
    for (k = 0; k < DEV_WORDS; k++)
        prb_store(dev_word(e->ring, e->id, k), words[k], PRB_MO_RELAXED);
    /* The owner's own word: mark that the record has device info (readers copy it only then). */
    info_store(e->ring, e->id, I_LEVEL,
               prb_load(info_word(e->ring, e->id, I_LEVEL), PRB_MO_RELAXED) | LEVEL_HAS_DEV);
}

prb_status prb_write(prb_ring *r, const void *text, size_t len, const prb_meta *meta, uint64_t *seq_out)
{
    prb_entry e;
    prb_status status = prb_reserve(r, &e, len, meta);

    if (status == PRB_OK) {
        prb_entry_append(&e, text, len);
        status = prb_final_commit(&e);
    }
    if (seq_out != NULL && (status == PRB_OK || status == PRB_E_NO_SPACE))
        *seq_out = e.seq;
    return status;
}

/* Text capacity and first text word of a block, from its positions; false for positions that
   cannot describe a valid block (possible when they were copied while being recycled). */
static bool get_data(const prb_ring *r, uint64_t begin, uint64_t next, uint64_t *text_word, uint64_t *text_size)
{
    uint64_t blk_size, first;

    if (lpos_dataless(begin) || lpos_dataless(next)) {
        if (begin == LPOS_EMPTY && next == LPOS_EMPTY) {
            *text_word = 0;
            *text_size = 0;
            return true;
        }
        return false;
    }
    if (!is_blk_wrapped(r, begin, next)) {
        first = data_index(r, begin) / WORD;
        blk_size = next - begin;
    } else if (!is_blk_wrapped(r, begin + r->data_size, next)) {
        first = 0;
        blk_size = data_index(r, next);
    } else {
        return false;
    }
    /* The same limits the writer obeys (a block always holds at least one byte of text). */
    if ((begin % WORD) != 0 || (next % WORD) != 0 || blk_size <= WORD || blk_size > max_blk_size(r))
        return false;
    *text_word = first + 1;
    *text_size = blk_size - WORD;
    return true;
}

/*
 * desc_reopen_last - reopens the newest record for its writer: committed -> reserved.
 *
 * Only the newest record (the one at head_id) can be reopened, only while it is committed (not
 * finalized), and only by the caller id it carries: the kernel's printk continues a line only
 * for the task that began it. The transition is a compare-and-swap, so a reservation that
 * finalizes the record meanwhile (desc_make_final), or another writer that reopens it first,
 * wins. The caller id is read here before the record is owned; the owner checks it again
 * (prb_reserve_in_last).
 *
 * Context: any thread, async-signal-safe; never waits.
 * Return: true with *id_out set: the caller owns the record, reserved, and must commit it again,
 * changed or not. false when the newest record is not a committed record of caller_id; nothing
 * changed.
 */
static bool desc_reopen_last(const prb_ring *r, uint32_t caller_id, uint64_t *id_out)
{
    desc_copy d;
    uint32_t cid = 0;
    uint64_t id, reopens;

    /* Relaxed: a guess, validated by the state CAS. */
    id = prb_load(hdr_word(r, H_HEAD_ID), PRB_MO_RELAXED);
    if (desc_read(r, id, &d, NULL, &cid, NULL) != PRB_DESC_COMMITTED || cid != caller_id)
        return false;

    /*
     * LMM(desc_reopen_last:A) acquire: the caller is about to read (and move) what the last
     * commit of this record published (P9, pairs with _prb_commit:B). A CAS: a reservation that
     * finalized the record meanwhile wins. (Never on a ring with recovery: prb_reserve_in_last.)
     */
    if (!prb_cas(desc_word(r, id, D_STATE), &d.state_var, make_sv(id, PRB_DESC_RESERVED),
                 PRB_MO(desc_reopen_last_A, PRB_MO_ACQUIRE), PRB_MO_RELAXED))
        return false;

    /*
     * Count the reopen, for panic-mode readers, who read committed records (read_record). The
     * load is relaxed: the count was last written by the writer of an earlier reopen of the slot,
     * before a commit that A (or the chain of reopens, commits and recycling before it) acquired.
     * LMM(desc_reopen_last:B) release: the reopen (A, committed -> reserved) is ordered before the
     * new count; pairs with read_record:A, whose reader then sees this record reserved or later.
     */
    reopens = prb_load(desc_word(r, id, D_REOPENS), PRB_MO_RELAXED);
    prb_store(desc_word(r, id, D_REOPENS), reopens + 1, PRB_MO(desc_reopen_last_B, PRB_MO_RELEASE));
    /*
     * LMM(desc_reopen_last:C) fence(release): the new count is ordered before every store the
     * owner makes to the record from here on (positions, moved and appended text, device info, the
     * length at the re-commit). Pairs with desc_read:D: a panic-mode reader that copied any of
     * them reads the new count at read_record:B and drops its copy.
     */
    PRB_FENCE(desc_reopen_last_C, PRB_MO_RELEASE);
    *id_out = id;
    return true;
}

/*
 * grow_reopened - gives the record that entry e has reopened room for `additional` more bytes of
 * text after the e->text_len bytes already there: a first data block for an empty record
 * (data_alloc), a grown block otherwise (data_realloc; the block may move to index 0, its text
 * with it). The record stays reserved, owned by e.
 *
 * Context: e owns the record (desc_reopen_last succeeded); async-signal-safe, never waits.
 * Return: PRB_OK with e->text_word and e->capacity set for appends after the text already there.
 * Otherwise the block is as it was and e->text_len is the text a re-commit must keep:
 * PRB_E_CANNOT_EXTEND for a lost record or positions that describe no block, PRB_E_TOO_LARGE
 * beyond max_total or the ring's maximum, PRB_E_NO_SPACE when the data ring cannot make room now.
 */
static prb_status grow_reopened(const prb_ring *r, prb_entry *e, size_t additional, size_t max_total)
{
    uint64_t begin, next, capacity, new_total, text_word;

    begin = prb_load(desc_word(r, e->id, D_BEGIN), PRB_MO_RELAXED);
    next = prb_load(desc_word(r, e->id, D_NEXT), PRB_MO_RELAXED);

    if (lpos_dataless(begin)) {
        if (begin != LPOS_EMPTY)
            return PRB_E_CANNOT_EXTEND; /* a lost record stays lost */
        e->text_len = 0;
        new_total = additional;
        if (new_total > max_total)
            return PRB_E_TOO_LARGE;
        if (!data_alloc(r, e, e->id, new_total, NULL, &text_word)) {
            /* data_alloc marked the record lost; it was empty, and stays empty. */
            desc_store_blk(r, e->id, LPOS_EMPTY, LPOS_EMPTY);
            return PRB_E_NO_SPACE;
        }
    } else {
        if (!get_data(r, begin, next, &text_word, &capacity))
            return PRB_E_CANNOT_EXTEND;
        if (e->text_len > capacity)
            e->text_len = (uint32_t)capacity;
        new_total = e->text_len + additional;
        if (new_total > prb_max_text_size(r) || new_total > max_total)
            return PRB_E_TOO_LARGE;
        if (!data_realloc(r, e->id, new_total, begin, next, &text_word))
            return PRB_E_NO_SPACE;
    }
    e->text_word = text_word;
    e->capacity = (uint32_t)new_total;
    return PRB_OK;
}

prb_status prb_reserve_in_last(prb_ring *r, prb_entry *e, uint32_t caller_id, size_t additional,
                               size_t max_total)
{
    uint64_t id, lc;
    prb_status status;

    memset(e, 0, sizeof *e);
    if (r->read_only)
        return PRB_E_READ_ONLY;
    if (additional > prb_max_text_size(r))
        return PRB_E_TOO_LARGE;
    /*
     * Rings with dead-writer recovery (ring files) never reopen a record. A reopen takes the state
     * word back to a value it had before (committed -> reserved(id)), which a take-over that read
     * the first reservation cannot tell from it: a live reopener's record could be taken from
     * under it. And a dead writer's growth (data_realloc) leaves a block its descriptor does not
     * cover, which no take-over can pass. docs/RECOVERY.md.
     */
    if (r->rec_ops != NULL)
        return PRB_E_CANNOT_EXTEND;
    e->ring = r;
    if (!desc_reopen_last(r, caller_id, &id))
        return PRB_E_CANNOT_EXTEND;

    /* LMM(prb_reserve_in_last:A): from here this writer has the record to itself. */
    lc = prb_load(info_word(r, id, I_CALLER_LEN), PRB_MO_RELAXED);
    e->id = id;
    e->seq = prb_load(info_word(r, id, I_SEQ), PRB_MO_RELAXED);
    e->caller_id = (uint32_t)(lc >> 32); /* what a re-commit must write back */
    e->text_len = (uint32_t)lc;
    e->active = 1;

    /* desc_reopen_last read the caller id before it owned the record: check it again now. */
    status = e->caller_id == caller_id ? grow_reopened(r, e, additional, max_total) : PRB_E_CANNOT_EXTEND;
    if (status != PRB_OK)
        prb_commit(e); /* back to committed, unchanged (and finalized at once if a newer record exists) */
    return status;
}

/* ---------------------------------------------------------------------------------------------
 * Public reader API
 * ------------------------------------------------------------------------------------------- */

/*
 * copy_data - copies the first buf_size bytes (at most) of a record's text_len bytes of text from
 * the block at the positions in d, into buf.
 *
 * LMM(copy_data:A) relaxed loads: a writer may be recycling the block while we copy. The caller
 * trusts the copy only after re-reading the descriptor unchanged (desc_read:D orders these loads
 * before that re-read).
 *
 * Context: any thread, async-signal-safe; writes nothing shared.
 * Return: false, with nothing copied, when the positions describe no block that holds text_len
 * bytes (possible when they were copied while being recycled): the record reads as lost.
 */
static bool copy_data(const prb_ring *r, const desc_copy *d, uint32_t text_len, void *buf, size_t buf_size)
{
    uint64_t text_word, text_size;

    if (!get_data(r, d->begin, d->next, &text_word, &text_size) || text_size < text_len)
        return false;
    text_load(r, text_word, text_len < buf_size ? text_len : buf_size, (unsigned char *)buf);
    return true;
}

/*
 * panic_checked - a panic-mode read's answer (OK or LOST) stands only if the record's slot was not
 * reopened since the read began (`reopens`, read at read_record:A); otherwise the record reads as
 * not there yet: it is being, or has been, extended under the copy.
 *
 * LMM(read_record:B) relaxed: the caller passed desc_read:D's fence(acquire) after every copy it
 * made (the re-check's, or, for an answer from the first descriptor read, that read's), and that
 * fence pairs with desc_reopen_last:C: a copied word that a reopen wrote makes this load read that
 * reopen's count or a later one.
 *
 * Context: any thread, async-signal-safe; writes nothing shared.
 * Return: status, or PRB_READ_NOT_YET when the count changed.
 */
static prb_read_status panic_checked(const prb_ring *r, uint64_t seq, uint64_t reopens, prb_read_status status)
{
    if (status == PRB_READ_NOT_YET)
        return status;
    if (prb_load(desc_word(r, seq, D_REOPENS), PRB_MO_LOAD(read_record_B, PRB_MO_RELAXED)) != reopens)
        return PRB_READ_NOT_YET;
    return status;
}

/*
 * Reads record `seq`: descriptor, info and text copied, then the descriptor checked again. With
 * neither info nor buf, only says whether the record is there. In panic mode a committed record
 * is read too (desc_read_finalized_seq), and the copy is trusted only if the record was not
 * reopened meanwhile: the slot's reopen count is the same before and after.
 *
 * Why the count: a committed record's writer may reopen it (committed -> reserved), append and
 * commit it again, all while we copy, and the state word it leaves is the very word we read first
 * (same id, committed again). The re-check alone would accept a copy that mixes the old length
 * with text not yet appended. Each reopen stores a new count (desc_reopen_last:B) before it
 * changes anything else of the record (desc_reopen_last:C). If we copied any word a reopen wrote,
 * the re-check's fence (desc_read:D) makes the count load after it (panic_checked) see that
 * reopen's count; and a count read first (A, acquire) that already includes a reopen makes
 * desc_read see the state that reopen left or a later one. Either way the counts differ, and the
 * record reads as not there yet (a panic-mode walk skips it or stops before it, and tries it
 * again next time): never torn, and never lost for a mix of old positions and a new length. A
 * finalized record is never reopened, so its count does not move while it is read.
 *
 * Context: any thread, async-signal-safe; writes nothing shared.
 * Return: PRB_READ_OK with info and buf filled; PRB_READ_NOT_YET or PRB_READ_LOST as
 * desc_read_finalized_seq says, also after the copy.
 */
static prb_read_status read_record(const prb_ring *r, uint64_t seq, prb_record_info *info, void *buf,
                                   size_t buf_size, bool panic_mode)
{
    uint64_t words[INFO_WORDS], dev_words[DEV_WORDS];
    uint64_t id, reopens = 0;
    uint32_t text_len;
    desc_copy d;
    prb_read_status status;
    bool copy_failed = false;
    bool has_dev;
    unsigned k;

    /* Relaxed: which id the slot holds is only a guess here; desc_read validates it. */
    id = desc_id(prb_load(desc_word(r, seq, D_STATE), PRB_MO_RELAXED));
    /* Another record's id: the slot does not hold `seq` (yet, or any more). Every record's seq is
       its id's, so this answers early what the seq check below would answer; and it keeps a
       damaged info word from passing off a record as a seq beyond 2^62, after which a reader's
       next seq would wrap around to 0. */
    if (seq_of_id(r, id) != seq)
        return PRB_READ_NOT_YET;
    /*
     * LMM(read_record:A) acquire, panic mode only. Pairs with desc_reopen_last:B: reading a
     * reopen's count, desc_read:A below reads the state that reopen left (reserved) or a later one,
     * so a count that includes a reopen is never taken for the state before it.
     */
    if (panic_mode)
        reopens = prb_load(desc_word(r, seq, D_REOPENS), PRB_MO_LOAD(read_record_A, PRB_MO_ACQUIRE));
    status = desc_read_finalized_seq(r, id, seq, &d, panic_mode);
    if (status != PRB_READ_OK || (info == NULL && buf == NULL))
        return panic_mode ? panic_checked(r, seq, reopens, status) : status;

    /* The info copy: relaxed loads, validated below like the text's (copy_data:A). */
    for (k = 0; k < INFO_WORDS; k++)
        words[k] = prb_load(info_word(r, id, k), PRB_MO_RELAXED);
    /* Without device-info storage no record has any, whatever a (damaged) level word claims. */
    has_dev = info != NULL && (words[I_LEVEL] & LEVEL_HAS_DEV) != 0 && r->devs != NULL;
    if (has_dev)
        for (k = 0; k < DEV_WORDS; k++)
            dev_words[k] = prb_load(dev_word(r, id, k), PRB_MO_RELAXED);
    text_len = (uint32_t)words[I_CALLER_LEN];
    fault_point(r, PRB_FAULT_READ_INFO_COPIED, NULL);
    if (buf != NULL && buf_size > 0 && !copy_data(r, &d, text_len, buf, buf_size)) {
        /* In panic mode, positions copied before a reopen do not fit a length copied after it
           either: the re-check and the reopen count tell a reopened record from a lost one. */
        if (!panic_mode)
            return PRB_READ_LOST;
        copy_failed = true;
    }

    /* Was the record recycled while we copied? (desc_read:D orders the copies before E.) */
    status = desc_read_finalized_seq(r, id, seq, &d, panic_mode);
    if (status == PRB_READ_OK && copy_failed)
        status = PRB_READ_LOST;
    if (panic_mode)
        status = panic_checked(r, seq, reopens, status);
    if (status != PRB_READ_OK)
        return status;

    if (info != NULL) {
        char dev[PRB_SUBSYSTEM_LEN + PRB_DEVICE_LEN];
        info->seq = words[I_SEQ];
        info->timestamp_ns = words[I_TIMESTAMP];
        info->text_len = text_len;
        info->caller_id = (uint32_t)(words[I_CALLER_LEN] >> 32);
        info->level = (uint8_t)words[I_LEVEL];
        info->facility = (uint8_t)(words[I_LEVEL] >> 8);
        info->flags = (uint8_t)(words[I_LEVEL] >> 16);
        if (has_dev) {
            memcpy(dev, dev_words, sizeof dev);
            memcpy(info->subsystem, dev, PRB_SUBSYSTEM_LEN);
            memcpy(info->device, dev + PRB_SUBSYSTEM_LEN, PRB_DEVICE_LEN);
            info->subsystem[PRB_SUBSYSTEM_LEN - 1] = '\0';
            info->device[PRB_DEVICE_LEN - 1] = '\0';
        } else {
            /* Most records: no device info, and no copy of zeroed words to make. */
            memset(info->subsystem, 0, sizeof info->subsystem);
            memset(info->device, 0, sizeof info->device);
        }
    }
    return PRB_READ_OK;
}

/*
 * first_seq_of_damaged_tail - what prb_first_seq answers when the tail stands on a descriptor that
 * no writer will ever change (memory damaged from outside): the seq the tail id implies, kept
 * between one ring behind the head and the head, where the oldest record of a sound ring lies.
 * Only reached on damaged memory, so its head load costs a sound ring nothing.
 */
static uint64_t first_seq_of_damaged_tail(const prb_ring *r, uint64_t tail_id)
{
    uint64_t next = prb_next_reserve_seq(r);
    uint64_t seq = tail_id == desc0_id(r) ? 0 : seq_of_id(r, tail_id);

    if (seq > next)
        return next;
    if (next - seq > r->desc_count)
        return next - r->desc_count;
    return seq;
}

uint64_t prb_first_seq(const prb_ring *r)
{
    prb_aword *tail_word = hdr_word(r, H_TAIL_ID);
    uint64_t id, sv, seq = 0, last_id = 0, last_sv = 0;
    prb_desc_state state;
    bool again = false;

    /*
     * Bound: ends as soon as the same tail and the same state word are read twice in a row
     * without the state being finalized or reusable. On a sound ring that never happens (see C:
     * each round either reads a newer tail or a newer state word than the round before), so the
     * loop ends there only on damaged memory: a region nobody writes ends it in two rounds.
     */
    for (;;) {
        /* LMM(prb_first_seq:A) relaxed: desc_read validates the id. */
        id = prb_load(tail_word, PRB_MO_RELAXED);
        /* LMM(prb_first_seq:B) */
        state = desc_read(r, id, NULL, &seq, NULL, &sv);
        /* The tail always stands on a finalized or reusable descriptor; anything else means it
           was recycled under us: read the tail again. */
        if (state == PRB_DESC_FINALIZED || state == PRB_DESC_REUSABLE) {
            /* Its seq is its id's (the bootstrap descriptor says 0): any other was damaged. */
            if (seq == (id == desc0_id(r) ? 0 : seq_of_id(r, id)))
                return seq;
            return first_seq_of_damaged_tail(r, id);
        }
        if (again && id == last_id && sv == last_sv)
            return first_seq_of_damaged_tail(r, id);
        again = true;
        last_id = id;
        last_sv = sv;
        /*
         * LMM(prb_first_seq:C) fence(acquire), for progress (and for the damage test above). If
         * desc_read:A read a recycled state, its acquire already synchronizes with desc_reserve:F
         * (P4), so the tail reload sees the push made before it: a newer tail. But the state may
         * also be stale (the tail read at A is newer than the state we got for it): this fence
         * makes that relaxed tail load synchronize with the desc_push_tail:B that stored it, so
         * the next round reads the state that push saw (finalized or reusable) or a later one: a
         * newer state word. So the loop ends after at most one extra round per tail value, and
         * two rounds that read the same tail and the same state word mean damaged memory.
         */
        PRB_FENCE(prb_first_seq_C, PRB_MO_ACQUIRE);
    }
}

/* The kernel's _prb_read_valid: read *seq or the next readable record after it. */
static bool read_valid(const prb_ring *r, uint64_t *seq, prb_record_info *info, void *buf, size_t buf_size,
                       bool panic_mode)
{
    prb_read_status status;
    uint64_t tail_seq, next_reserve, first_skipped = 0;
    bool skipped = false;

    /*
     * Bound: every round returns or moves *seq forward. A jump to the tail happens only to a
     * larger seq. A lost record is one whose slot holds exactly that seq, so a region nobody
     * writes has at most desc_count of them in a row. The panic skip never starts more than a
     * ring behind the head (below, a seq that far behind is overwritten) and stops at the head:
     * at most desc_count skips per call even if the head word was damaged. On a live ring the
     * walk goes on only over records that really existed (each is at or below the head).
     */
    for (;;) {
        status = read_record(r, *seq, info, buf, buf_size, panic_mode);
        if (status == PRB_READ_OK)
            return true;
        tail_seq = prb_first_seq(r);
        if (*seq < tail_seq) {
            *seq = tail_seq; /* fell behind: everything before the tail is overwritten */
            skipped = false;
        } else if (status == PRB_READ_LOST)
            (*seq)++;
        else if (panic_mode && (next_reserve = prb_next_reserve_seq(r)) > 0 && *seq < next_reserve - 1) {
            if (!skipped) {
                first_skipped = *seq;
                skipped = true;
            }
            /*
             * Not finalized, but later records exist: assume a stuck writer, skip. A seq more
             * than a ring behind the head is overwritten (its slot was reserved again for a later
             * record): go straight to the oldest seq that may still exist, which the tail jump
             * above would reach a little later on a live ring. After damage to the head word,
             * this keeps the skip from walking up to 2^62 seqs one by one.
             */
            if (next_reserve - *seq > r->desc_count)
                *seq = next_reserve - r->desc_count;
            else
                (*seq)++;
        } else {
            /* Stopped. *seq is past the lost records (gone for good) but not past records skipped
               as unfinalized: those may still be finalized, and are skipped again next time only
               if they are not. */
            if (skipped)
                *seq = first_skipped;
            return false;
        }
    }
}

prb_read_status prb_read(const prb_ring *r, uint64_t seq, prb_record_info *info, void *buf, size_t buf_size)
{
    prb_read_status status = read_record(r, seq, info, buf, buf_size, false);

    if (status == PRB_READ_NOT_YET && seq < prb_first_seq(r))
        return PRB_READ_LOST; /* long gone, not "not yet" */
    return status;
}

bool prb_read_valid(const prb_ring *r, uint64_t *seq, prb_record_info *info, void *buf, size_t buf_size,
                    bool panic_mode)
{
    return read_valid(r, seq, info, buf, buf_size, panic_mode);
}

uint64_t prb_first_valid_seq(const prb_ring *r)
{
    uint64_t seq = 0;
    return read_valid(r, &seq, NULL, NULL, 0, false) ? seq : 0;
}

uint64_t prb_next_seq(const prb_ring *r)
{
    /* The walk below passes desc_read:D before it trusts the cache: see desc_last_finalized_seq. */
    uint64_t seq = desc_last_finalized_seq(r);
    uint64_t reserved = prb_next_reserve_seq(r);

    /*
     * A cache a whole ring or more ahead of the head is damaged memory (a seq no record ever had,
     * which the walk below would return as it is): walk from the start instead, as the kernel did
     * before the cache existed (read_valid jumps to the tail). That walk gives the same answer,
     * only later, so even a check that failed on a sound ring (a head load a whole ring staler
     * than the cache load before it: allowed by C11 for relaxed loads, never seen in practice)
     * would cost time, not a wrong result.
     *
     * Why not a finer check, such as "the cached record is still finalized in its slot": any check
     * that can fail on a sound ring makes this function answer right for the wrong reason, and
     * Relacy then no longer sees a broken publication of the cache (P13: with
     * desc_update_last_finalized:A weakened, last_finalized_vs_commits stopped failing). A head
     * a ring stale is beyond what the checker models, so this one never fires there. A damaged
     * cache less than a ring ahead can still make the answer up to a ring too large.
     */
    if (seq >= reserved && seq - reserved >= r->desc_count)
        seq = 0;
    /* 0 is ambiguous: "record 0 is finalized" or "nothing is". Start there and walk. */
    if (seq != 0)
        seq++;
    /* Bound: as read_valid's, one step per record (at most desc_count in a region nobody writes). */
    while (read_valid(r, &seq, NULL, NULL, 0, false))
        seq++;
    return seq;
}

uint64_t prb_next_reserve_seq(const prb_ring *r)
{
    /* Relaxed: a snapshot. Seq and id advance together from DESC0_ID + 1 = seq 0. */
    uint64_t head = prb_load(hdr_word(r, H_HEAD_ID), PRB_MO_RELAXED);
    return desc_id(head - desc0_id(r));
}

void prb_reader_init(prb_reader *reader, const prb_ring *r, uint64_t from_seq, bool panic_mode)
{
    reader->ring = r;
    reader->next_seq = from_seq;
    reader->lost = 0;
    reader->panic_mode = panic_mode;
}

bool prb_reader_next(prb_reader *reader, prb_record_info *info, void *buf, size_t buf_size)
{
    uint64_t seq = reader->next_seq;
    bool found = read_valid(reader->ring, &seq, info, buf, buf_size, reader->panic_mode);

    /* Count the records passed, also when the walk passed lost records and then stopped at one
       that is not there yet: they are gone, and the next call starts after them. (Records a
       panic-mode walk skipped as unfinalized before stopping are not passed: read_valid leaves
       *seq at the first of them.) */
    reader->lost += seq - reader->next_seq;
    reader->next_seq = seq;
    if (!found)
        return false;
    reader->next_seq = seq + 1;
    return true;
}

/* ---------------------------------------------------------------------------------------------
 * Statistics and introspection
 * ------------------------------------------------------------------------------------------- */

void prb_get_stats(const prb_ring *r, prb_stats *s)
{
    uint64_t head, tail, used;

    s->finalized = prb_next_seq(r);
    /* The head load is a relaxed snapshot: records counted through the last_finalized_seq cache
       are not read here, so nothing orders their reservations' head moves before this load, and
       in the C11 model it may return an older head. A snapshot never shows fewer records
       reserved than finalized. */
    s->reserved = prb_next_reserve_seq(r);
    if (s->reserved < s->finalized)
        s->reserved = s->finalized;
    s->failed_descriptor = prb_load(hdr_word(r, H_FAILED_DESC), PRB_MO_RELAXED);
    s->failed_data = prb_load(hdr_word(r, H_FAILED_DATA), PRB_MO_RELAXED);
    s->taken_over = prb_load(hdr_word(r, H_TAKEN_OVER), PRB_MO_RELAXED);
    /* Relaxed snapshots, tail first (on a live ring the head read after it is at least as far).
       Clamped: a head seen behind the tail counts as empty, more than a ring ahead as full. */
    tail = prb_load(hdr_word(r, H_DATA_TAIL), PRB_MO_RELAXED);
    head = prb_load(hdr_word(r, H_DATA_HEAD), PRB_MO_RELAXED);
    used = head - tail;
    if (used > r->data_size)
        used = used >= UINT64_C(1) << 63 ? 0 : r->data_size;
    s->text_bytes_used = used;
}

prb_desc_state prb_state_of_seq(const prb_ring *r, uint64_t seq)
{
    uint64_t sv = prb_load(desc_word(r, seq, D_STATE), PRB_MO_ACQUIRE);
    uint64_t stored_seq = prb_load(info_word(r, seq, I_SEQ), PRB_MO_RELAXED);

    /* An untouched slot fails the seq check too (its seq word is 0, or -desc_count in slot 0). */
    if (stored_seq != seq)
        return PRB_DESC_MISS;
    return state_of(desc_id(sv), sv);
}

bool prb_block_of_seq(const prb_ring *r, uint64_t seq, uint64_t *begin, uint64_t *next)
{
    if (prb_state_of_seq(r, seq) == PRB_DESC_MISS)
        return false;
    *begin = prb_load(desc_word(r, seq, D_BEGIN), PRB_MO_RELAXED);
    *next = prb_load(desc_word(r, seq, D_NEXT), PRB_MO_RELAXED);
    return true;
}

prb_lost_reason prb_lost_reason_of(const prb_ring *r, uint64_t seq)
{
    uint64_t begin, next;
    unsigned k;

    /* Values from memory we may not have written are only compared: damage gives a wrong
       reason, nothing worse. */
    for (k = 0; k < RECENT_TAKEN; k++)
        if (prb_load(hdr_word(r, H_RECENT_TAKEN + k), PRB_MO_RELAXED) == (TAKEN_MARK | seq))
            return PRB_LOST_WRITER_DIED;
    if (prb_block_of_seq(r, seq, &begin, &next) && begin == LPOS_FAILED && next == LPOS_FAILED)
        return PRB_LOST_NO_SPACE;
    if (seq < prb_first_seq(r))
        return PRB_LOST_OVERWRITTEN;
    return PRB_LOST_UNKNOWN;
}

size_t prb_recent_take_overs(const prb_ring *r, uint64_t *seqs, size_t max)
{
    size_t n = 0;
    unsigned k;

    for (k = 0; k < RECENT_TAKEN && n < max; k++) {
        uint64_t v = prb_load(hdr_word(r, H_RECENT_TAKEN + k), PRB_MO_RELAXED);

        if ((v & TAKEN_MARK) != 0)
            seqs[n++] = v & ~TAKEN_MARK;
    }
    return n;
}

void prb_get_positions(const prb_ring *r, prb_positions *p)
{
    p->head_id = prb_load(hdr_word(r, H_HEAD_ID), PRB_MO_RELAXED);
    p->tail_id = prb_load(hdr_word(r, H_TAIL_ID), PRB_MO_RELAXED);
    p->data_head_lpos = prb_load(hdr_word(r, H_DATA_HEAD), PRB_MO_RELAXED);
    p->data_tail_lpos = prb_load(hdr_word(r, H_DATA_TAIL), PRB_MO_RELAXED);
    p->last_finalized_seq = prb_load(hdr_word(r, H_LAST_FINALIZED), PRB_MO_RELAXED);
}

/* ---------------------------------------------------------------------------------------------
 * Creating, formatting and attaching
 * ------------------------------------------------------------------------------------------- */

static bool sizes_valid(unsigned desc_bits, unsigned data_bits)
{
    return desc_bits >= PRB_DESC_BITS_MIN && desc_bits <= PRB_DESC_BITS_MAX && data_bits >= PRB_DATA_BITS_MIN &&
           data_bits <= PRB_DATA_BITS_MAX;
}

/* Words per descriptor slot (descriptor, info and, unless the flags leave it out, device info). */
static uint64_t slot_words(unsigned flags)
{
    return DESC_WORDS + INFO_WORDS + ((flags & PRB_RING_NO_DEV_INFO) != 0 ? 0 : DEV_WORDS);
}

size_t prb_ring_required_bytes_ex(unsigned desc_bits, unsigned data_bits, unsigned flags)
{
    uint64_t count, words;

    if (!sizes_valid(desc_bits, data_bits) || (flags & ~PRB_RING_FLAGS_KNOWN) != 0)
        return 0;
    count = UINT64_C(1) << desc_bits;
    words = HDR_WORDS + count * slot_words(flags) + ((UINT64_C(1) << data_bits) / WORD);
    if (words > SIZE_MAX / WORD)
        return 0;
    return (size_t)(words * WORD);
}

size_t prb_ring_required_bytes(unsigned desc_bits, unsigned data_bits)
{
    return prb_ring_required_bytes_ex(desc_bits, data_bits, 0);
}

/* Fills in a handle for a region whose sizes and flags are known to be valid. */
static prb_ring *make_handle(void *memory, size_t bytes, unsigned desc_bits, unsigned data_bits, unsigned flags,
                             prb_status *status)
{
    prb_ring *r = (prb_ring *)malloc(sizeof *r);
    uint64_t count = UINT64_C(1) << desc_bits;

    if (r == NULL) {
        *status = PRB_E_NO_MEMORY;
        return NULL;
    }
    r->words = (prb_aword *)memory;
    r->hdr = r->words;
    r->descs = r->hdr + HDR_WORDS;
    r->infos = r->descs + count * DESC_WORDS;
    if ((flags & PRB_RING_NO_DEV_INFO) != 0) {
        r->devs = NULL;
        r->data = r->infos + count * INFO_WORDS;
    } else {
        r->devs = r->infos + count * INFO_WORDS;
        r->data = r->devs + count * DEV_WORDS;
    }
    r->desc_count = count;
    r->data_size = UINT64_C(1) << data_bits;
    r->desc_mask = count - 1;
    r->data_mask = r->data_size - 1;
    r->finalized_stride_mask = finalized_stride_mask(count);
    r->desc_bits = desc_bits;
    r->data_bits = data_bits;
    r->flags = flags;
    r->bytes = bytes;
    r->owned = NULL;
    r->fault_hook = NULL;
    r->fault_context = NULL;
    r->read_only = false;
    r->rec_ops = NULL;
    r->rec_context = NULL;
    r->rec_slots = NULL;
    r->rec_slot_count = 0;
    set_reserve_path(r);
    *status = PRB_OK;
    return r;
}

static prb_ring *fail_with(prb_status *status_out, prb_status status)
{
    if (status_out != NULL)
        *status_out = status;
    return NULL;
}

prb_ring *prb_ring_format_ex(void *memory, size_t bytes, unsigned desc_bits, unsigned data_bits, unsigned flags,
                             prb_status *status_out)
{
    prb_status status;
    size_t need = prb_ring_required_bytes_ex(desc_bits, data_bits, flags);
    prb_ring *r;
    uint64_t w, total, last;

    if (need == 0)
        return fail_with(status_out, PRB_E_INVALID_SIZE);
    if (memory == NULL || ((uintptr_t)memory % PRB_REGION_ALIGN) != 0 || bytes < need)
        return fail_with(status_out, PRB_E_BAD_MEMORY);
    r = make_handle(memory, need, desc_bits, data_bits, flags, &status);
    if (r == NULL)
        return fail_with(status_out, status);

    /* Zero the region word by word through the atomics layer (a checker's atomics are objects
       that must not be memset), the magic number last. */
    total = need / WORD;
    for (w = 0; w < total; w++)
        prb_store(&r->words[w], 0, PRB_MO_RELAXED);

    /*
     * Bootstrap. The last descriptor is both head and tail: a reusable, data-less record whose
     * info says seq 0, so that prb_first_seq() reads 0 on an empty ring. Slot 0's seq is
     * -desc_count, so the first reservation, one wrap later, gets seq 0. An untouched descriptor
     * reads as state word 0 ("id 0, reserved"), i.e. not readable.
     */
    last = r->desc_count - 1;
    prb_store(desc_word(r, last, D_STATE), make_sv(desc0_id(r), PRB_DESC_REUSABLE), PRB_MO_RELAXED);
    desc_store_blk(r, last, LPOS_FAILED, LPOS_FAILED);
    info_store(r, 0, I_SEQ, UINT64_C(0) - r->desc_count);
    info_store(r, last, I_SEQ, 0);
    prb_store(hdr_word(r, H_HEAD_ID), desc0_id(r), PRB_MO_RELAXED);
    prb_store(hdr_word(r, H_TAIL_ID), desc0_id(r), PRB_MO_RELAXED);
    /* Data positions start one wrap below 0: index 0, overflowing to 0 on the first wrap. */
    prb_store(hdr_word(r, H_DATA_HEAD), UINT64_C(0) - r->data_size, PRB_MO_RELAXED);
    prb_store(hdr_word(r, H_DATA_TAIL), UINT64_C(0) - r->data_size, PRB_MO_RELAXED);

    prb_store(hdr_word(r, H_VERSION), PRB_LAYOUT_VERSION, PRB_MO_RELAXED);
    prb_store(hdr_word(r, H_DESC_BITS), desc_bits, PRB_MO_RELAXED);
    prb_store(hdr_word(r, H_DATA_BITS), data_bits, PRB_MO_RELAXED);
    prb_store(hdr_word(r, H_BYTES), need, PRB_MO_RELAXED);
    prb_store(hdr_word(r, H_FLAGS), flags, PRB_MO_RELAXED);
    /* Release: whoever attaches and reads the magic (acquire) sees the formatted ring. */
    prb_store(hdr_word(r, H_MAGIC), PRB_MAGIC, PRB_MO_RELEASE);

    if (status_out != NULL)
        *status_out = PRB_OK;
    return r;
}

prb_ring *prb_ring_format(void *memory, size_t bytes, unsigned desc_bits, unsigned data_bits, prb_status *status_out)
{
    return prb_ring_format_ex(memory, bytes, desc_bits, data_bits, 0, status_out);
}

prb_ring *prb_ring_create_ex(unsigned desc_bits, unsigned data_bits, unsigned flags, prb_status *status_out)
{
    size_t need = prb_ring_required_bytes_ex(desc_bits, data_bits, flags);
    void *memory = NULL;
    prb_ring *r;

    if (need == 0)
        return fail_with(status_out, PRB_E_INVALID_SIZE);
    if (posix_memalign(&memory, 64, need) != 0)
        return fail_with(status_out, PRB_E_NO_MEMORY);
    r = prb_ring_format_ex(memory, need, desc_bits, data_bits, flags, status_out);
    if (r == NULL) {
        free(memory);
        return NULL;
    }
    r->owned = memory;
    return r;
}

prb_ring *prb_ring_create(unsigned desc_bits, unsigned data_bits, prb_status *status_out)
{
    return prb_ring_create_ex(desc_bits, data_bits, 0, status_out);
}

prb_ring *prb_ring_attach(void *memory, size_t bytes, prb_status *status_out)
{
    prb_aword *words = (prb_aword *)memory;
    prb_status status;
    prb_ring *r;
    uint64_t desc_bits, data_bits, flags, stored_bytes, head, tail, data_head, data_tail;

    if (memory == NULL || ((uintptr_t)memory % PRB_REGION_ALIGN) != 0 || bytes < HDR_WORDS * WORD)
        return fail_with(status_out, PRB_E_BAD_MEMORY);
    /* Acquire: pairs with the release store of the magic in prb_ring_format. */
    if (prb_load(&words[H_MAGIC], PRB_MO_ACQUIRE) != PRB_MAGIC ||
        prb_load(&words[H_VERSION], PRB_MO_RELAXED) != PRB_LAYOUT_VERSION)
        return fail_with(status_out, PRB_E_BAD_MEMORY);
    desc_bits = prb_load(&words[H_DESC_BITS], PRB_MO_RELAXED);
    data_bits = prb_load(&words[H_DATA_BITS], PRB_MO_RELAXED);
    stored_bytes = prb_load(&words[H_BYTES], PRB_MO_RELAXED);
    flags = prb_load(&words[H_FLAGS], PRB_MO_RELAXED);
    /* The flags say where the arrays lie: unknown bits, or a size that is not the one these flags
       and sizes give (a flag flipped by damage), refuse the region. */
    if (desc_bits > PRB_DESC_BITS_MAX || data_bits > PRB_DATA_BITS_MAX ||
        (flags & ~(uint64_t)PRB_RING_FLAGS_KNOWN) != 0 || !sizes_valid((unsigned)desc_bits, (unsigned)data_bits) ||
        stored_bytes != prb_ring_required_bytes_ex((unsigned)desc_bits, (unsigned)data_bits, (unsigned)flags) ||
        stored_bytes > bytes)
        return fail_with(status_out, PRB_E_BAD_MEMORY);

    /* The positions must describe a ring of this size: at most one ring's worth apart. */
    /* Tails first: on a live ring a tail read after its head could have passed it. */
    tail = prb_load(&words[H_TAIL_ID], PRB_MO_ACQUIRE);
    head = prb_load(&words[H_HEAD_ID], PRB_MO_ACQUIRE);
    data_tail = prb_load(&words[H_DATA_TAIL], PRB_MO_ACQUIRE);
    data_head = prb_load(&words[H_DATA_HEAD], PRB_MO_ACQUIRE);
    if (desc_id(head) != head || desc_id(tail) != tail || desc_id(head - tail) >= (UINT64_C(1) << desc_bits) ||
        data_head - data_tail > (UINT64_C(1) << data_bits) || (data_head % WORD) != 0 || (data_tail % WORD) != 0)
        return fail_with(status_out, PRB_E_BAD_MEMORY);

    r = make_handle(memory, (size_t)stored_bytes, (unsigned)desc_bits, (unsigned)data_bits, (unsigned)flags, &status);
    if (r == NULL)
        return fail_with(status_out, status);
    if (status_out != NULL)
        *status_out = PRB_OK;
    return r;
}

prb_ring *prb_ring_attach_read_only(const void *memory, size_t bytes, prb_status *status_out)
{
    /* prb_ring_attach only loads; the cast lets the handle share its type with writable ones. */
    prb_ring *r = prb_ring_attach((void *)(uintptr_t)memory, bytes, status_out);

    if (r != NULL)
        prb_ring_set_read_only(r);
    return r;
}

void prb_ring_set_read_only(prb_ring *r)
{
    r->read_only = true;
    set_reserve_path(r);
}

bool prb_ring_is_read_only(const prb_ring *r) { return r->read_only; }

void prb_ring_destroy(prb_ring *r)
{
    if (r == NULL)
        return;
    free(r->owned);
    free(r);
}

void prb_ring_enable_recovery(prb_ring *r, prb_aword *slots, uint32_t count, const prb_recovery_ops *ops,
                              void *context)
{
    r->rec_slots = slots;
    r->rec_slot_count = count;
    r->rec_context = context;
    r->rec_ops = ops;
    set_reserve_path(r);
}

void prb_ring_set_fault_hook(prb_ring *r, prb_fault_hook hook, void *context)
{
    r->fault_hook = hook;
    r->fault_context = context;
    set_reserve_path(r);
}

unsigned prb_ring_desc_bits(const prb_ring *r) { return r->desc_bits; }
unsigned prb_ring_data_bits(const prb_ring *r) { return r->data_bits; }
unsigned prb_ring_flags(const prb_ring *r) { return r->flags; }
void *prb_ring_memory(const prb_ring *r) { return r->words; }
size_t prb_ring_memory_bytes(const prb_ring *r) { return r->bytes; }

const char *prb_status_string(prb_status status)
{
    switch (status) {
    case PRB_OK:
        return "success";
    case PRB_E_INVALID_SIZE:
        return "ring size out of range";
    case PRB_E_TOO_LARGE:
        return "record larger than the maximum record size";
    case PRB_E_NO_DESCRIPTOR:
        return "no free descriptor: the oldest record is still being written";
    case PRB_E_NO_SPACE:
        return "no data space: the oldest data block is still being written; the record is lost";
    case PRB_E_CANNOT_EXTEND:
        return "the newest record is not this caller's committed record";
    case PRB_E_BAD_MEMORY:
        return "memory is not a ring of this layout, or too small, or misaligned";
    case PRB_E_NO_MEMORY:
        return "out of memory";
    case PRB_E_BAD_ENTRY:
        return "the entry holds no reservation";
    case PRB_E_IO:
        return "a system call failed (see errno)";
    case PRB_E_FILE_UNSAFE:
        return "not a regular file, or another user's file opened for writing";
    case PRB_E_NOT_A_RING_FILE:
        return "not a ring file";
    case PRB_E_FILE_BYTE_ORDER:
        return "ring file written with the other byte order";
    case PRB_E_FILE_WORD_SIZE:
        return "ring file written with another word size";
    case PRB_E_FILE_VERSION:
        return "ring file of an unsupported format version";
    case PRB_E_FILE_HEADER:
        return "ring file header damaged (checksum or sizes disagree)";
    case PRB_E_FILE_TRUNCATED:
        return "ring file shorter than its header says";
    case PRB_E_FILE_SIZE:
        return "ring file longer than its header says";
    case PRB_E_READ_ONLY:
        return "the ring is read-only here (mapped PROT_READ): nothing was written";
    case PRB_E_NO_WRITER_SLOT:
        return "every process slot of the ring file's writer table is held by a live writer";
    }
    return "unknown status";
}
