/*
 * pd_tmpl_val.c - the value tree templates are rendered against
 *
 * PURPOSE	Build and free the null/bool/string/list/object values of
 *		pd_tmpl.h.  No parsing, no rendering.
 * DESIGN	Lists and objects are arrays that double when full; object
 *		lookup is a linear scan, which is the fastest choice for the
 *		dozen or so placeholders a mail template uses.  Setting an
 *		existing key replaces its value in place, so members keep
 *		their order and a key is never present twice.
 * OWNERSHIP	See pd_tmpl.h: a container owns its members; strings are
 *		copied; _attach moves ownership in, even on failure.
 * ERRORS	PD_EINTERNAL (or NULL) when a container has the wrong type.
 * THREADS	Reentrant; one tree is built by one thread.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pd_err.h"
#include "pd_mem.h"
#include "pd_tmpl_impl.h"

/* val_new - a zeroed value of type */
static struct pd_tmpl_val *
val_new(enum pd_tmpl_type type)
{
	struct pd_tmpl_val *v = pd_xcalloc(1, sizeof(*v));

	v->type = type;
	return v;
}

/* pd_tmpl_null_new - null: interpolates as "", falsey */
struct pd_tmpl_val *
pd_tmpl_null_new(void)
{
	return val_new(PD_TMPL_NULL);
}

/* pd_tmpl_bool_new - boolean: interpolates as "true" or "false" */
struct pd_tmpl_val *
pd_tmpl_bool_new(bool b)
{
	struct pd_tmpl_val *v = val_new(PD_TMPL_BOOL);

	v->b = b;
	return v;
}

/* pd_tmpl_str_new - copy of the C string s */
struct pd_tmpl_val *
pd_tmpl_str_new(const char *s)
{
	return pd_tmpl_strn_new(s, strlen(s));
}

/* pd_tmpl_strn_new - copy of len bytes at s */
struct pd_tmpl_val *
pd_tmpl_strn_new(const char *s, size_t len)
{
	struct pd_tmpl_val *v = val_new(PD_TMPL_STR);

	v->str = pd_xmemdup(s, len);
	v->len = len;
	return v;
}

/* pd_tmpl_list_new - empty list */
struct pd_tmpl_val *
pd_tmpl_list_new(void)
{
	return val_new(PD_TMPL_LIST);
}

/* pd_tmpl_obj_new - empty object */
struct pd_tmpl_val *
pd_tmpl_obj_new(void)
{
	return val_new(PD_TMPL_OBJ);
}

/* pd_tmpl_val_type - type of v; PD_TMPL_NULL for NULL */
enum pd_tmpl_type
pd_tmpl_val_type(const struct pd_tmpl_val *v)
{
	return v != NULL ? v->type : PD_TMPL_NULL;
}

/*
 * pd_tmpl_val_free - free a value and everything it holds.  Trees are
 * shallow (built by our own code), so plain recursion is safe here.
 */
void
pd_tmpl_val_free(struct pd_tmpl_val **vp)
{
	struct pd_tmpl_val *v = *vp;
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		if (v->type == PD_TMPL_LIST) {
			pd_tmpl_val_free(&v->items[i]);
		} else {
			pd_free(v->members[i].key);
			pd_tmpl_val_free(&v->members[i].val);
		}
	}
	pd_free(v->items);
	pd_free(v->members);
	pd_free(v->str);
	pd_xfree(vp);
}

/* val_grow - make room for one more item or member */
static void
val_grow(struct pd_tmpl_val *v)
{
	if (v->n < v->cap)
		return;
	v->cap = v->cap ? v->cap * 2 : 8;
	if (v->type == PD_TMPL_LIST)
		v->items = pd_xrealloc(v->items, v->cap * sizeof(*v->items));
	else
		v->members = pd_xrealloc(v->members,
		    v->cap * sizeof(*v->members));
}

/* tmpl_val_member - lookup by counted key (used by the renderer) */
const struct pd_tmpl_val *
tmpl_val_member(const struct pd_tmpl_val *obj, const char *key, size_t len)
{
	size_t i;

	if (obj == NULL || obj->type != PD_TMPL_OBJ)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (obj->members[i].klen == len &&
		    memcmp(obj->members[i].key, key, len) == 0)
			return obj->members[i].val;
	return NULL;
}

/* tmpl_val_truthy - JavaScript's truth: null, false, "" and [] are false */
bool
tmpl_val_truthy(const struct pd_tmpl_val *v)
{
	if (v == NULL)
		return false;
	switch (v->type) {
	case PD_TMPL_BOOL:
		return v->b;
	case PD_TMPL_STR:
		return v->len > 0;
	case PD_TMPL_LIST:
		return v->n > 0;
	case PD_TMPL_OBJ:
		return true;
	default:
		return false;
	}
}

/* pd_tmpl_obj_get - borrowed member or NULL */
const struct pd_tmpl_val *
pd_tmpl_obj_get(const struct pd_tmpl_val *obj, const char *key)
{
	return tmpl_val_member(obj, key, strlen(key));
}

/* pd_tmpl_obj_attach - obj[key] = v, replacing; obj owns v afterwards */
int
pd_tmpl_obj_attach(struct pd_tmpl_val *obj, const char *key,
    struct pd_tmpl_val *v)
{
	size_t len;
	size_t i;

	if (obj == NULL || obj->type != PD_TMPL_OBJ || key == NULL ||
	    v == NULL) {
		pd_tmpl_val_free(&v);
		return PD_EINTERNAL;
	}
	len = strlen(key);
	for (i = 0; i < obj->n; i++) {
		if (obj->members[i].klen == len &&
		    memcmp(obj->members[i].key, key, len) == 0) {
			pd_tmpl_val_free(&obj->members[i].val);
			obj->members[i].val = v;
			return PD_OK;
		}
	}
	val_grow(obj);
	obj->members[obj->n].key = pd_xmemdup(key, len);
	obj->members[obj->n].klen = len;
	obj->members[obj->n].val = v;
	obj->n++;
	return PD_OK;
}

/* pd_tmpl_obj_set_str - obj[key] = copy of s */
int
pd_tmpl_obj_set_str(struct pd_tmpl_val *obj, const char *key, const char *s)
{
	if (s == NULL)
		return PD_EINTERNAL;
	return pd_tmpl_obj_set_strn(obj, key, s, strlen(s));
}

/* pd_tmpl_obj_set_strn - obj[key] = copy of len bytes at s */
int
pd_tmpl_obj_set_strn(struct pd_tmpl_val *obj, const char *key,
    const char *s, size_t len)
{
	if (obj == NULL || obj->type != PD_TMPL_OBJ || s == NULL)
		return PD_EINTERNAL;
	return pd_tmpl_obj_attach(obj, key, pd_tmpl_strn_new(s, len));
}

/* pd_tmpl_obj_set_bool - obj[key] = b */
int
pd_tmpl_obj_set_bool(struct pd_tmpl_val *obj, const char *key, bool b)
{
	if (obj == NULL || obj->type != PD_TMPL_OBJ)
		return PD_EINTERNAL;
	return pd_tmpl_obj_attach(obj, key, pd_tmpl_bool_new(b));
}

/* obj_add - obj[key] = new value of type; borrowed result or NULL */
static struct pd_tmpl_val *
obj_add(struct pd_tmpl_val *obj, const char *key, enum pd_tmpl_type type)
{
	struct pd_tmpl_val *v;

	if (obj == NULL || obj->type != PD_TMPL_OBJ || key == NULL)
		return NULL;
	v = val_new(type);
	pd_tmpl_obj_attach(obj, key, v);
	return v;
}

/* pd_tmpl_obj_add_obj - obj[key] = {}; the new object is borrowed */
struct pd_tmpl_val *
pd_tmpl_obj_add_obj(struct pd_tmpl_val *obj, const char *key)
{
	return obj_add(obj, key, PD_TMPL_OBJ);
}

/* pd_tmpl_obj_add_list - obj[key] = []; the new list is borrowed */
struct pd_tmpl_val *
pd_tmpl_obj_add_list(struct pd_tmpl_val *obj, const char *key)
{
	return obj_add(obj, key, PD_TMPL_LIST);
}

/* pd_tmpl_list_attach - append v to list; list owns v afterwards */
int
pd_tmpl_list_attach(struct pd_tmpl_val *list, struct pd_tmpl_val *v)
{
	if (list == NULL || list->type != PD_TMPL_LIST || v == NULL) {
		pd_tmpl_val_free(&v);
		return PD_EINTERNAL;
	}
	val_grow(list);
	list->items[list->n++] = v;
	return PD_OK;
}

/* pd_tmpl_list_append_str - append a copy of s */
int
pd_tmpl_list_append_str(struct pd_tmpl_val *list, const char *s)
{
	if (list == NULL || list->type != PD_TMPL_LIST || s == NULL)
		return PD_EINTERNAL;
	return pd_tmpl_list_attach(list, pd_tmpl_str_new(s));
}

/* pd_tmpl_list_append_obj - append {}; the new object is borrowed */
struct pd_tmpl_val *
pd_tmpl_list_append_obj(struct pd_tmpl_val *list)
{
	struct pd_tmpl_val *v;

	if (list == NULL || list->type != PD_TMPL_LIST)
		return NULL;
	v = val_new(PD_TMPL_OBJ);
	pd_tmpl_list_attach(list, v);
	return v;
}
