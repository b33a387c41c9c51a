export const id=794;export const ids=[794];export const modules={2794:((n,r,e)=>{function renderJson(n){return`${JSON.stringify(n,null,2)}\n`}e.r(r),e.d(r,{renderJson:()=>renderJson})})};
