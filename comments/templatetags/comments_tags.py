from django import template

register = template.Library()


@register.inclusion_tag("comments/comments_block.html", takes_context=True)
def comments_block(context, article):
    return {"article": article, "request": context.get("request")}
