/*
 * kernel/cmdline.c - the kernel command line: words and key=value pairs.
 *
 * On Xen it is the multiboot module string after the kernel's name, so the
 * runner can pass test switches (see Documentation/running.md).
 */
#include <pventry/kernel.h>

static char cmdline[1024];
static size_t cmdline_len;

void cmdline_init(const char *s)
{
	cmdline_len = strnlen(s, sizeof(cmdline) - 1);
	memcpy(cmdline, s, cmdline_len);
	cmdline[cmdline_len] = '\0';
}

/* Next whitespace-separated word at or after *pos. */
static const char *next_word(size_t *pos, size_t *len)
{
	size_t i = *pos, start;

	while (i < cmdline_len && cmdline[i] == ' ')
		i++;
	start = i;
	while (i < cmdline_len && cmdline[i] != ' ')
		i++;
	*pos = i;
	*len = i - start;
	return *len ? cmdline + start : NULL;
}

bool cmdline_has(const char *word)
{
	size_t pos = 0, len, wl = strlen(word);
	const char *w;

	while ((w = next_word(&pos, &len)))
		if (len == wl && !strncmp(w, word, wl))
			return true;
	return false;
}

const char *cmdline_get(const char *key)
{
	static char value[64];
	size_t pos = 0, len, kl = strlen(key);
	const char *w;

	while ((w = next_word(&pos, &len))) {
		if (len > kl && w[kl] == '=' && !strncmp(w, key, kl)) {
			size_t vl = len - kl - 1 < sizeof(value) - 1 ? len - kl - 1 : sizeof(value) - 1;

			memcpy(value, w + kl + 1, vl);
			value[vl] = '\0';
			return value;
		}
	}
	return NULL;
}
