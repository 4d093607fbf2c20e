/**
 * @file The gallery page (index.html): defines Rose Kit's elements, so the quick-start markup
 * on the page runs as written. Nothing else: the example must work without a script of its own.
 */
import '../../components/index.ts';
